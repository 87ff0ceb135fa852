# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: the HTTP surface of Greenlight v3 (bigbluebutton/greenlight
# release-3.8.2.4) bbb-chapter uses, each part written from the upstream file named:
# - force_ssl redirects (config/environments/production.rb);
# - GET /health_check (app/controllers/health_checks_controller.rb: database +
#   pending migrations, Redis, SMTP, BigBlueButton, each skippable by its
#   *_HEALTH_CHECK_DISABLED=true; no CSRF check);
# - GET /api/v1/rooms/:friendly_id/public(.json) (RoomsController#public_show,
#   app/serializers/public_room_serializer.rb), GET /api/v1/env.json;
# - POST /api/v1/meetings/:friendly_id/status(.json) (meetings.rb);
# - the session cookie and the CSRF check of every non-GET request (session.rb);
# - RELATIVE_URL_ROOT: config/application.rb strips trailing slashes for the
#   routes, the session cookie path is ENV.fetch('RELATIVE_URL_ROOT', '/');
# - Api::V1::ApiController: ensure_valid_request renders the SPA unless the
#   request is JSON and accepts application/json (app/controllers/concerns/authorizable.rb),
#   RecordNotFound -> 404 RecordNotFound, StandardError -> 500 SomethingWentWrong;
# - the single-page app's HTML shell with csrf_meta_tags for every other path
#   (app/views/layouts/application.html.erb). The join page's React component
#   (app/javascript/components/rooms/room/join/JoinCard.jsx, hooks/forms/rooms/useRoomJoinForm.js,
#   hooks/mutations/rooms/useRoomStatus.jsx, helpers/Axios.jsx) is played by a small
#   script (JOIN_SCRIPT) with the same fields, requests and outcome.
require_relative 'migrate'
require_relative 'session'
require_relative 'meetings'
require 'webrick'
require 'net/http'
require 'net/smtp'
require 'redis'

module StandIn
  ROOM_PUBLIC = %r{\A/api/v1/rooms/([^/.?]+)/public(\.json)?\z}
  MEETING_STATUS = %r{\A/api/v1/meetings/([^/.?]+)/status(\.json)?\z}
  # Files of upstream's public/ (served as static files, no session, no cookie).
  PUBLIC_FILES = {
    '/favicon.ico' => 'image/x-icon', '/robots.txt' => 'text/plain',
    '/apple-touch-icon.png' => 'image/png', '/apple-touch-icon-precomposed.png' => 'image/png'
  }.freeze
  SHELL = <<~HTML
    <!DOCTYPE html>
    <html><head><title>BigBlueButton</title>
    <meta property="og:title" content="BigBlueButton">
    <meta name="csrf-param" content="authenticity_token">
    <meta name="csrf-token" content="%<token>s">
    </head><body><div id="root"></div>
    <script>%<script>s</script></body></html>
  HTML
  # The join page (JoinCard.jsx): name, access code when the room has one,
  # recording consent when the room records; POST status.json through the Axios
  # instance (JSON, X-CSRF-TOKEN from the meta tag, same-origin cookies); on a
  # joinUrl window.location.replace(joinUrl); 403 -> wrong access code; any other
  # error -> "There was a problem completing that action."
  # process.env.RELATIVE_URL_ROOT is baked in at build time (esbuild.mjs: the
  # variable with trailing slashes removed, '' when unset).
  JOIN_SCRIPT = <<~'JS'
    (function () {
      var root = ROOT_JSON;
      var m = window.location.pathname.slice(root.length).match(/^\/rooms\/([^\/]+)\/join\/?$/);
      if (!m) { return; }
      var friendlyId = m[1];
      var headers = { 'Content-Type': 'application/json', Accept: 'application/json',
        'X-CSRF-TOKEN': document.querySelector('[name=csrf-token]').getAttribute('content') };
      var api = root + '/api/v1';
      var el = document.getElementById('root');
      function field(html) { var d = document.createElement('div'); d.innerHTML = html; el.appendChild(d); return d; }
      function problem(text) { document.getElementById('standin-error').textContent = text; }
      fetch(api + '/rooms/' + friendlyId + '/public.json', { headers: headers })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          var room = body.data;
          var form = document.createElement('form');
          form.id = 'standin-join-form';
          el.appendChild(form);
          el = form;
          field('<h1></h1>').firstChild.textContent = room.name;
          field('<label for="joinFormName">Name</label><input id="joinFormName" type="text">');
          if (room.viewer_access_code || room.moderator_access_code) {
            field('<label for="joinFormCode">Access Code</label><input id="joinFormCode" type="text">');
          }
          if (room.recording_consent === 'true') {
            field('<input id="consentCheck" type="checkbox"><label for="consentCheck">I acknowledge that this session may be recorded.</label>');
          }
          field('<button type="submit">Join Meeting</button><div id="standin-error" role="alert"></div>');
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            var data = { name: document.getElementById('joinFormName').value };
            var code = document.getElementById('joinFormCode');
            if (code) { data.access_code = code.value; }
            var consent = document.getElementById('consentCheck');
            if (!data.name) { return problem('Please enter a name'); }
            if (consent && !consent.checked) { return problem('Please accept the recording notice'); }
            if (room.viewer_access_code && !data.access_code) { return problem('An access code is required'); }
            if (consent) { data.consent = true; }
            fetch(api + '/meetings/' + friendlyId + '/status.json',
              { method: 'POST', headers: headers, body: JSON.stringify(data) })
              .then(function (r) {
                if (r.status === 403) { return problem('Wrong access code'); }
                if (!r.ok) { return problem('There was a problem completing that action.'); }
                return r.json().then(function (b) {
                  if (b.data.joinUrl) { window.location.replace(b.data.joinUrl); }
                  else { problem('The meeting has not started yet'); }
                });
              });
          });
        });
    })();
  JS

  class App
    def initialize
      # config/application.rb: trailing slashes removed; '/' when blank (routes at the root).
      @root = ENV.fetch('RELATIVE_URL_ROOT', '').sub(%r{/*\z}, '')
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
      session = Session.new(req)
      ActiveRecord::Base.connection_pool.with_connection { route(req, res, path, session) }
      session.commit(res)
    rescue StandardError => e
      warn "stand-in: #{e.class}: #{e.message}"
      json(res, 500, errors: ['SomethingWentWrong'])
    end

    private

    def base_url(req)
      scheme = req['X-Forwarded-Proto'].to_s.split(',').first.to_s.strip
      "#{scheme.empty? ? 'http' : scheme}://#{req['Host']}"
    end

    def route(req, res, path, session)
      get = %w[GET HEAD].include?(req.request_method)
      return health_check(res) if path == '/health_check' && get

      if PUBLIC_FILES.key?(path) && get
        res.status = 200
        res['Content-Type'] = PUBLIC_FILES[path]
        return res.body = ''
      end
      # protect_from_forgery with: :exception, before any controller callback.
      unless get || session.verified_request?(req, base_url(req))
        warn 'stand-in: ActionController::InvalidAuthenticityToken'
        return json(res, 500, errors: ['SomethingWentWrong']) if path.start_with?('/api/')

        return text(res, 422, 'ActionController::InvalidAuthenticityToken')
      end
      if (m = ROOM_PUBLIC.match(path)) && req.request_method == 'GET'
        public_room(req, res, m[1], m[2], session)
      elsif (m = MEETING_STATUS.match(path)) && req.request_method == 'POST'
        meeting_status(req, res, m[1], session)
      elsif path == '/api/v1/env.json' && req.request_method == 'GET'
        json(res, 200, data: { EXTERNAL_AUTH: false, HCAPTCHA_KEY: nil,
                               VERSION_TAG: ENV.fetch('VERSION_TAG', 'standin'),
                               CURRENT_PROVIDER: 'greenlight', SMTP_ENABLED: ENV['SMTP_SERVER'].to_s != '' })
      else
        spa_shell(res, session)
      end
    end

    def spa_shell(res, session)
      res.status = 200
      res['Content-Type'] = 'text/html; charset=utf-8'
      res.body = format(SHELL, token: session.masked_csrf_token,
                               script: JOIN_SCRIPT.sub('ROOT_JSON', JSON.generate(@root)))
    end

    def valid_api_request?(req)
      req['Accept'].to_s.include?('application/json')
    end

    def request_params(req)
      params = CGI.parse(req.query_string.to_s).transform_values(&:first)
      if req['Content-Type'].to_s.start_with?('application/json') && !req.body.to_s.empty?
        body = JSON.parse(req.body)
        params.merge!(body.transform_values { |v| v.is_a?(String) ? v : v.to_s }) if body.is_a?(Hash)
      end
      params
    end

    def meeting_status(req, res, friendly_id, session)
      return spa_shell(res, session) unless valid_api_request?(req)

      room = Room.includes(:user).with_provider('greenlight').find_by(friendly_id:)
      return json(res, 404, errors: ['RecordNotFound']) if room.nil?

      guest = req.cookies.find { |c| c.name == 'guest_id' }&.value
      action = MeetingStatus.new(room:, params: request_params(req), guest_id: guest, base_url: base_url(req))
      status, body = action.call
      if action.new_guest_id
        # cookies[:guest_id] = {value:, expires: 1.day.from_now}: Rails' default cookie path is /.
        res.cookies << "guest_id=#{action.new_guest_id}; path=/; expires=#{(Time.now.utc + 86_400).httpdate}; SameSite=Lax"
      end
      json(res, status, body)
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
      # The broken-release variant (tests/standins/greenlight-broken): a release whose
      # /health_check never answers success, so the role's rollback can be tested.
      if ENV['STANDIN_BROKEN_RELEASE'] == 'true'
        return text(res, 500, 'STAND-IN broken release: this health check always fails')
      end
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

    # RoomsController#public_show + find_room (app/controllers/api/v1/rooms_controller.rb):
    # Room.includes(:user).with_provider(current_provider).find_by!(friendly_id:), the
    # settings from RoomSettingsGetter (show_codes: false: codes become booleans),
    # serialized by PublicRoomSerializer.
    def public_room(req, res, friendly_id, json_ext, session)
      unless valid_api_request?(req)
        # Upstream renders the SPA shell, or fails rendering HTML for .json.
        return json(res, 500, errors: ['SomethingWentWrong']) if json_ext

        return spa_shell(res, session)
      end
      room = Room.includes(:user).with_provider('greenlight').find_by(friendly_id:)
      return json(res, 404, errors: ['RecordNotFound']) if room.nil?

      settings = RoomSettingsGetter.new(
        room_id: room.id, provider: 'greenlight', show_codes: false,
        settings: %w[glRequireAuthentication glViewerAccessCode glModeratorAccessCode record glAnyoneJoinAsModerator]
      ).call
      scheme = req['X-Forwarded-Proto'].to_s.split(',').first || 'http'
      json(res, 200, data: {
             name: room.name,
             recording_consent: settings['record'],
             require_authentication: settings['glRequireAuthentication'],
             viewer_access_code: settings['glViewerAccessCode'],
             moderator_access_code: settings['glModeratorAccessCode'],
             anyone_join_as_moderator: settings['glAnyoneJoinAsModerator'],
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
