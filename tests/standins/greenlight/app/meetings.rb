# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: what Greenlight v3 (bigbluebutton/greenlight
# release-3.8.2.4) does when a member joins a room, written from upstream's source:
# - RoomSettingsGetter: app/services/room_settings_getter.rb
# - POST /api/v1/meetings/:friendly_id/status(.json), MeetingsController#status
#   with its private helpers (find_room, infer_bbb_role, authorized_as_*,
#   access_code_validator, fetch_bbb_user_id): app/controllers/api/v1/meetings_controller.rb
#   (route: config/routes.rb `resources :meetings ... post '/status'`)
# - MeetingStarter: app/services/meeting_starter.rb; BigBlueButtonApi:
#   app/services/big_blue_button_api.rb (bigbluebutton-api-ruby 2.0.0, Gemfile.lock):
#   join_meeting_url(meeting_id, name, '', {userID:, role:, avatarURL:, createTime:}.compact)
#   signs `join` + query + secret.
# Only anonymous members are modelled (no sign-in): current_user is nil.
# https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/app/controllers/api/v1/meetings_controller.rb
require 'cgi'
require 'net/http'
require 'openssl'

module StandIn
  class RoomSettingsGetter
    SPECIAL_OPTIONS = { 'guestPolicy' => { 'true' => 'ASK_MODERATOR', 'false' => 'ALWAYS_ACCEPT' } }.freeze

    def initialize(room_id:, provider:, settings: [], show_codes: false, only_bbb_options: false)
      @room_id = room_id
      @settings = Array(settings)
      @show_codes = show_codes
      @only_bbb_options = only_bbb_options
      # Forced site-wide configurations (not optional/default_enabled) overwrite the room's values.
      @rooms_configs = MeetingOption.joins(:rooms_configurations)
                                    .where(rooms_configurations: { provider: })
                                    .where.not(rooms_configurations: { value: %w[optional default_enabled] })
                                    .pluck(:name, :'rooms_configurations.value').to_h
    end

    def call
      rows = MeetingOption.joins(:room_meeting_options).where(room_meeting_options: { room_id: @room_id })
      rows = rows.where(name: @settings) unless @settings.empty?
      rows = rows.where.not('name ILIKE ?', 'gl%') if @only_bbb_options
      room_settings = rows.pluck(:name, :'room_meeting_options.value').to_h
      access_codes = room_settings.slice('glViewerAccessCode', 'glModeratorAccessCode')
      room_settings.merge!(@rooms_configs.slice(*room_settings.keys))
      SPECIAL_OPTIONS.slice(*room_settings.keys).each_key do |name|
        config = room_settings[name]
        room_settings[name] = SPECIAL_OPTIONS[name][config] if %w[true false].include?(config)
      end
      access_codes.slice(*room_settings.keys).each do |key, code|
        room_settings[key] = room_settings[key] == 'false' ? '' : code
        room_settings[key] = room_settings[key].present? unless @show_codes
      end
      # infer_can_record needs a current_user: never for anonymous members.
      room_settings
    end
  end

  # The BigBlueButton API as bigbluebutton-api-ruby calls it (SHA-1 checksums).
  class BigBlueButtonApi
    class Error < StandardError
      attr_reader :key

      def initialize(key, message)
        @key = key
        super("#{message}, messageKey: #{key}")
      end
    end

    def initialize
      url = ENV.fetch('BIGBLUEBUTTON_ENDPOINT')
      url += '/' unless url.end_with?('/')
      url += 'api/' unless url.end_with?('api/')
      @endpoint = url
      @secret = ENV.fetch('BIGBLUEBUTTON_SECRET')
    end

    def url(call, params)
      query = params.compact.map { |k, v| "#{k}=#{CGI.escape(v.to_s)}" }.join('&')
      checksum = Digest::SHA1.hexdigest("#{call}#{query}#{@secret}")
      "#{@endpoint}#{call}?#{query.empty? ? '' : "#{query}&"}checksum=#{checksum}"
    end

    def request(call, params)
      body = StandIn::LabNetwork.get(URI(url(call, params)))
      code = body[%r{<returncode>\s*(\w+)\s*</returncode>}, 1]
      return body if code == 'SUCCESS'

      raise Error.new(body[%r{<messageKey>(.*?)</messageKey>}m, 1].to_s, body[%r{<message>(.*?)</message>}m, 1].to_s)
    end

    def meeting_running?(room)
      request('isMeetingRunning', meetingID: room.meeting_id)[%r{<running>\s*(\w+)\s*</running>}, 1] == 'true'
    end

    def start_meeting(room, options)
      body = request('create', { name: room.name, meetingID: room.meeting_id }.merge(options))
      Integer(body[%r{<createTime>\s*(\d+)\s*</createTime>}, 1])
    end

    def join_meeting_url(room, name:, user_id:, role:)
      create_time = room.last_session && (room.last_session.to_f * 1000).round
      url('join', { meetingID: room.meeting_id, password: '', fullName: name }
                    .merge({ userID: user_id, role:, createTime: create_time }.compact))
    end
  end

  # LAB DEVIATION (stand-in only): the nested Greenlight container can neither
  # resolve the lab's host name nor trust the lab CA (inventory/lab explains why
  # Greenlight's own BBB health probe is off there). The stand-in therefore sends
  # its BigBlueButton API calls to its default gateway (the lab container, which
  # answers for bbb_hostname on that port) with the endpoint's name as Host/SNI,
  # and does not verify the lab certificate. Real Greenlight resolves and verifies.
  module LabNetwork
    def self.gateway
      File.readlines('/proc/net/route').drop(1).each do |line|
        fields = line.split
        next unless fields[1] == '00000000'

        return [fields[2].to_i(16)].pack('V').unpack('C4').join('.')
      end
      nil
    end

    def self.get(uri)
      http = Net::HTTP.new(uri.host, uri.port)
      if ENV['STANDIN_BBB_VIA_GATEWAY'] == 'true' && (gw = gateway)
        http.ipaddr = gw
        http.verify_mode = OpenSSL::SSL::VERIFY_NONE
      end
      http.use_ssl = uri.scheme == 'https'
      http.open_timeout = 5
      http.read_timeout = 15
      http.request(Net::HTTP::Get.new(uri)).body.to_s
    end
  end

  class MeetingStatus
    STATUS_SETTINGS = %w[glRequireAuthentication glViewerAccessCode glModeratorAccessCode glAnyoneCanStart
                         glAnyoneJoinAsModerator].freeze

    # Returns [http status, body, guest cookie or nil].
    def initialize(room:, params:, guest_id:, base_url:)
      @room = room
      @params = params
      @guest_id = guest_id
      @base_url = base_url
      @bbb = BigBlueButtonApi.new
    end

    attr_reader :new_guest_id

    def call
      settings = RoomSettingsGetter.new(room_id: @room.id, provider: 'greenlight', show_codes: true,
                                        settings: STATUS_SETTINGS).call
      return [401, { errors: [] }] if settings['glRequireAuthentication'] == 'true'

      role = infer_bbb_role(settings['glModeratorAccessCode'], settings['glViewerAccessCode'],
                            settings['glAnyoneJoinAsModerator'] == 'true')
      return [403, { errors: [] }] if role.nil?

      data = { status: @bbb.meeting_running?(@room) }
      if !data[:status] && authorized_to_start?(settings)
        begin
          start_meeting
        rescue BigBlueButtonApi::Error => e
          return [400, { errors: [] }] unless e.key == 'idNotUnique'
        end
        data[:status] = true
      end
      if data[:status]
        data[:joinUrl] = @bbb.join_meeting_url(@room.reload, name: @params['name'], user_id: bbb_user_id, role:)
      end
      [200, { data: }]
    end

    private

    def code_valid?(code)
      code.present? && @params['access_code'].present? && code == @params['access_code']
    end

    def infer_bbb_role(mod_code, viewer_code, anyone_join_as_mod)
      moderator = code_valid?(mod_code) ||
                  (anyone_join_as_mod && viewer_code.blank? && mod_code.blank?) ||
                  (anyone_join_as_mod && (code_valid?(mod_code) || code_valid?(viewer_code)))
      viewer = (viewer_code.blank? && @params['access_code'].blank?) || code_valid?(viewer_code)
      if moderator
        'Moderator'
      elsif viewer && !anyone_join_as_mod
        'Viewer'
      end
    end

    def authorized_to_start?(settings)
      settings['glAnyoneCanStart'] == 'true' || code_valid?(settings['glModeratorAccessCode'])
    end

    def bbb_user_id
      return @guest_id if @guest_id.present?

      @new_guest_id = "gl-guest-#{SecureRandom.hex(12)}"
    end

    def start_meeting
      options = RoomSettingsGetter.new(room_id: @room.id, provider: @room.user.provider, only_bbb_options: true).call
      options.delete('muteOnStart') unless options['muteOnStart'] == 'true'
      room_url = "#{@base_url}/rooms/#{@room.friendly_id}/join"
      options.merge!(loginURL: room_url, logoutURL: room_url,
                     'meta_bbb-origin': 'greenlight',
                     'meta_bbb-origin-server-name': URI(@base_url).host,
                     'meta_bbb-origin-version': ENV.fetch('VERSION_TAG', 'v3'),
                     'meta_bbb-context-name': @room.name,
                     'meta_bbb-context-id': @room.friendly_id)
      create_time = @bbb.start_meeting(@room, options)
      @room.update!(online: true, last_session: Time.at(create_time / 1000.0).utc)
    end
  end
end
