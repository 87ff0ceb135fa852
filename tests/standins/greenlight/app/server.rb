# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: the HTTP surface of Greenlight v3 bbb-chapter uses
# (greenlight.md §6): force_ssl redirects, GET /health_check (database +
# pending migrations, Redis, SMTP, BigBlueButton, each skippable by its
# *_HEALTH_CHECK_DISABLED=true), GET /api/v1/rooms/:friendly_id/public(.json),
# GET /api/v1/env.json, and the single-page-app HTML shell for everything else.
require_relative 'migrate'
require 'webrick'
require 'net/http'
require 'net/smtp'
require 'redis'

module StandIn
  ROOM_PUBLIC = %r{\A/api/v1/rooms/([^/.?]+)/public(\.json)?\z}
  SHELL = <<~HTML
    <!DOCTYPE html>
    <html><head><title>BigBlueButton</title>
    <meta property="og:title" content="BigBlueButton">
    <meta name="csrf-token" content="%<token>s">
    </head><body><div id="root"></div></body></html>
  HTML

  class App
    def initialize
      @root = ENV.fetch('RELATIVE_URL_ROOT', '').sub(%r{/+\z}, '')
    end

    def call(req, res)
      path = req.path
      unless @root.empty?
        return not_found(res) unless path == @root || path.start_with?("#{@root}/")

        path = path.delete_prefix(@root)
        path = '/' if path.empty?
      end
      https = req['X-Forwarded-Proto'].to_s.split(',').first.to_s.strip == 'https'
      return redirect_to_https(req, res) if !https && !path.include?('health_check')

      res['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains' if https
      ActiveRecord::Base.connection_pool.with_connection { route(req, res, path) }
    rescue StandardError => e
      warn "stand-in: #{e.class}: #{e.message}"
      json(res, 500, errors: ['SomethingWentWrong'])
    end

    private

    def route(req, res, path)
      if path == '/health_check' && %w[GET HEAD].include?(req.request_method)
        health_check(res)
      elsif (m = ROOM_PUBLIC.match(path)) && req.request_method == 'GET'
        public_room(req, res, m[1], m[2])
      elsif path == '/api/v1/env.json' && req.request_method == 'GET'
        json(res, 200, data: { EXTERNAL_AUTH: false, HCAPTCHA_KEY: nil,
                               VERSION_TAG: ENV.fetch('VERSION_TAG', 'standin'),
                               CURRENT_PROVIDER: 'greenlight', SMTP_ENABLED: ENV['SMTP_SERVER'].to_s != '' })
      else
        res.status = 200
        res['Content-Type'] = 'text/html; charset=utf-8'
        res.body = format(SHELL, token: SecureRandom.base64(32))
      end
    end

    def redirect_to_https(req, res)
      res.status = %w[GET HEAD].include?(req.request_method) ? 301 : 307
      res['Location'] = "https://#{req['Host']}#{req.unparsed_uri}"
      res.body = ''
    end

    def not_found(res)
      res.status = 404
      res.body = ''
    end

    def json(res, status, body)
      res.status = status
      res['Content-Type'] = 'application/json; charset=utf-8'
      res.body = JSON.generate(body)
    end

    def text(res, status, body)
      res.status = status
      res['Content-Type'] = 'text/plain; charset=utf-8'
      res.body = body
    end

    def disabled?(name)
      ENV[name] == 'true'
    end

    def health_check(res)
      unless disabled?('DATABASE_HEALTH_CHECK_DISABLED')
        begin
          raise 'connection is not active' unless ActiveRecord::Base.connection.active?

          pending = StandIn.pending_migrations
          raise "Migrations are pending: #{pending.join(', ')}" unless pending.empty?
        rescue StandardError => e
          return text(res, 500, "Unable to connect to Database - #{e}")
        end
      end
      unless disabled?('REDIS_HEALTH_CHECK_DISABLED')
        begin
          Redis.new.ping
        rescue StandardError => e
          return text(res, 500, "Unable to connect to Redis - #{e}")
        end
      end
      unless disabled?('SMTP_HEALTH_CHECK_DISABLED')
        begin
          server = ENV['SMTP_SERVER'].to_s.empty? ? 'localhost' : ENV['SMTP_SERVER']
          port = ENV['SMTP_SERVER'].to_s.empty? ? 25 : Integer(ENV.fetch('SMTP_PORT'))
          Net::SMTP.new(server, port).start(ENV.fetch('SMTP_DOMAIN', 'localhost')) { nil }
        rescue StandardError => e
          return text(res, 500, "Unable to connect to SMTP Server - #{e}")
        end
      end
      unless disabled?('BBB_HEALTH_CHECK_DISABLED')
        begin
          check_bbb
        rescue StandardError => e
          return text(res, 500, "Unable to connect to BigBlueButton - #{e}")
        end
      end
      text(res, 200, 'success')
    end

    def bbb_endpoint
      url = ENV.fetch('BIGBLUEBUTTON_ENDPOINT')
      url += '/' unless url.end_with?('/')
      url += 'api/' unless url.end_with?('api/')
      url
    end

    def check_bbb
      query = 'meetingID=0'
      checksum = Digest::SHA1.hexdigest("isMeetingRunning#{query}#{ENV.fetch('BIGBLUEBUTTON_SECRET')}")
      body = Net::HTTP.get(URI("#{bbb_endpoint}isMeetingRunning?#{query}&checksum=#{checksum}"))
      raise "unexpected answer: #{body[0, 200]}" unless body.include?('<returncode>SUCCESS</returncode>')
    end

    # RoomSettingsGetter for an anonymous caller (no CanRecord step).
    def effective(room, name)
      row = room.get_setting(name:)
      return nil if row.nil?

      value = row.value
      config = MeetingOption.get_config_value(name:, provider: 'greenlight')[name]
      if %w[true false].include?(config)
        value = if name == 'guestPolicy'
                  config == 'true' ? 'ASK_MODERATOR' : 'ALWAYS_ACCEPT'
                elsif name.end_with?('AccessCode')
                  config == 'false' ? '' : value
                else
                  config
                end
      end
      value
    end

    def public_room(req, res, friendly_id, json_ext)
      unless req['Accept'].to_s.include?('application/json')
        # Upstream renders the SPA shell, or fails rendering HTML for .json.
        return json(res, 500, errors: ['SomethingWentWrong']) if json_ext

        res.status = 200
        res['Content-Type'] = 'text/html; charset=utf-8'
        return res.body = format(SHELL, token: SecureRandom.base64(32))
      end
      room = Room.includes(:user).with_provider('greenlight').find_by(friendly_id:)
      return json(res, 404, errors: ['RecordNotFound']) if room.nil?

      viewer = effective(room, 'glViewerAccessCode')
      moderator = effective(room, 'glModeratorAccessCode')
      scheme = req['X-Forwarded-Proto'].to_s.split(',').first || 'http'
      json(res, 200, data: {
             name: room.name,
             recording_consent: effective(room, 'record'),
             require_authentication: effective(room, 'glRequireAuthentication'),
             viewer_access_code: viewer.nil? ? nil : viewer.present?,
             moderator_access_code: moderator.nil? ? nil : moderator.present?,
             anyone_join_as_moderator: effective(room, 'glAnyoneJoinAsModerator'),
             friendly_id: room.friendly_id,
             owner_name: room.user.name,
             owner_id: room.user.id,
             owner_avatar: "#{scheme}://#{req['Host']}#{@root}/assets/default-avatar-standin.png",
             shared_user_ids: room.shared_accesses.pluck(:user_id)
           })
    end
  end

  def self.serve!(port)
    server = WEBrick::HTTPServer.new(Port: port, BindAddress: '0.0.0.0', AccessLog: [],
                                     Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN))
    app = App.new
    server.mount_proc('/') { |req, res| app.call(req, res) }
    %w[INT TERM].each { |sig| trap(sig) { server.shutdown } }
    log "Listening on http://0.0.0.0:#{port}"
    server.start
  end
end
