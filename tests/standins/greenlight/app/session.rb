# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: the session cookie and the CSRF check of Greenlight v3
# (bigbluebutton/greenlight release-3.8.2.4), as they decide whether a member's
# join request is accepted:
# - Session store:
#   https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/config/initializers/session_store.rb
#   cookie_store, key `_greenlight-3_0_session`, `secure: Rails.env.production?`,
#   `path: ENV.fetch('RELATIVE_URL_ROOT', '/')`: an empty RELATIVE_URL_ROOT gives
#   `path=` (the browser then scopes the cookie to the page's directory, RFC 6265
#   5.2.4 and 5.1.4), an unset one `path=/`. SameSite=Lax and HttpOnly are the
#   Rails 7.2 defaults (config.load_defaults 7.2 in config/application.rb).
#   Rails encrypts the cookie with a key derived from SECRET_KEY_BASE; the
#   stand-in signs it (HMAC-SHA256) instead: what matters here is that the browser
#   sends it back only under the cookie's path.
# - CSRF: Greenlight's ApplicationController < ActionController::Base sets no
#   forgery option of its own, so Rails' default (load_defaults >= 5.2:
#   protect_from_forgery with: :exception, origin check on) applies to every
#   non-GET request; only HealthChecksController and ExternalController skip it
#   (app/controllers/health_checks_controller.rb, external_controller.rb). The
#   token lives in the session (`_csrf_token`); the layout's csrf_meta_tags
#   (app/views/layouts/application.html.erb) hands the page a masked copy that the
#   SPA sends as X-CSRF-TOKEN (app/javascript/helpers/Axios.jsx). The masking is
#   Rails' ActionController::RequestForgeryProtection: 32 random bytes XOR the
#   real token, prefixed by those bytes, URL-safe base64.
#   Api::V1::ApiController rescues StandardError (InvalidAuthenticityToken
#   included) into 500 {"errors":["SomethingWentWrong"]}
#   (app/controllers/api/v1/api_controller.rb).
require 'base64'
require 'openssl'

module StandIn
  class Session
    KEY = '_greenlight-3_0_session'
    TOKEN_LENGTH = 32

    def self.cookie_path
      ENV.fetch('RELATIVE_URL_ROOT', '/')
    end

    def initialize(req)
      @data = decode(cookie_value(req, KEY)) || {}
      @dirty = false
    end

    attr_reader :data

    def [](key)
      @data[key]
    end

    def []=(key, value)
      @data[key] = value
      @dirty = true
    end

    # Rails writes the cookie only when the session changed.
    def commit(res)
      return unless @dirty

      attrs = ["#{KEY}=#{encode(@data)}", "path=#{self.class.cookie_path}"]
      attrs << 'secure' if ENV['RAILS_ENV'] == 'production'
      attrs += %w[HttpOnly SameSite=Lax]
      res.cookies << attrs.join('; ')
    end

    # csrf_meta_tags / form_authenticity_token: a fresh mask of the real token.
    def masked_csrf_token
      raw = real_csrf_token
      pad = SecureRandom.random_bytes(TOKEN_LENGTH)
      Base64.urlsafe_encode64(pad + xor(pad, raw), padding: false)
    end

    # verified_request? for a non-GET request: origin check, then the token.
    def verified_request?(req, base_url)
      origin = req['Origin']
      return false if origin == 'null'
      return false unless origin.nil? || origin == base_url

      token = req['X-CSRF-Token'].to_s
      return false if token.empty? || @data['_csrf_token'].nil?

      masked = begin
        Base64.urlsafe_decode64(token)
      rescue ArgumentError
        return false
      end
      real = real_csrf_token
      case masked.bytesize
      when TOKEN_LENGTH then secure_equal(masked, real)
      when 2 * TOKEN_LENGTH
        pad = masked.byteslice(0, TOKEN_LENGTH)
        secure_equal(xor(pad, masked.byteslice(TOKEN_LENGTH, TOKEN_LENGTH)), real)
      else false
      end
    end

    private

    def real_csrf_token
      self['_csrf_token'] = SecureRandom.urlsafe_base64(TOKEN_LENGTH) if @data['_csrf_token'].nil?
      Base64.urlsafe_decode64(@data['_csrf_token'])
    end

    def xor(a, b)
      a.bytes.zip(b.bytes).map { |x, y| x ^ y }.pack('C*')
    end

    def secure_equal(a, b)
      a.bytesize == b.bytesize && OpenSSL.fixed_length_secure_compare(a, b)
    end

    def cookie_value(req, name)
      req.cookies.find { |c| c.name == name }&.value
    end

    def secret
      ENV.fetch('SECRET_KEY_BASE')
    end

    def encode(data)
      body = Base64.urlsafe_encode64(JSON.generate(data), padding: false)
      "#{body}--#{OpenSSL::HMAC.hexdigest('SHA256', secret, body)}"
    end

    def decode(value)
      return nil if value.nil?

      body, mac = value.split('--', 2)
      return nil unless mac && secure_equal(OpenSSL::HMAC.hexdigest('SHA256', secret, body), mac)

      JSON.parse(Base64.urlsafe_decode64(body))
    rescue ArgumentError, JSON::ParserError
      nil
    end
  end
end
