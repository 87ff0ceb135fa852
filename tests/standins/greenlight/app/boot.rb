# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: not Greenlight. A small Ruby program that plays the
# parts of Greenlight v3 (bigbluebutton/greenlight, release-3.8.2.x) that
# bbb-chapter uses, against a real PostgreSQL: its schema, the model behaviour
# of the tables the roles touch, `bundle exec rails runner`, `bundle exec rake
# admin:create[...]`, GET /health_check and GET /api/v1/rooms/:id/public.json.
# Written from upstream's source at
# https://github.com/bigbluebutton/greenlight/tree/release-3.8.2.4 (each file
# names the upstream files it follows); no upstream code is copied. Debian 12 ships ActiveRecord 6.1 and
# Ruby 3.1 where Greenlight uses Rails 7.2 and Ruby 3.3.
#
# boot.rb: environment, database connection and models, like `rails runner`
# loads the application before running a script.
require 'uri'
require 'logger'
require 'json'
require 'securerandom'
require 'digest'
require 'active_record'
require 'active_support/all'
require 'bcrypt'

APP_ROOT = File.expand_path('..', __dir__)
ENV['RAILS_ENV'] ||= 'production'

I18n.enforce_available_locales = false
I18n.default_locale = ENV.fetch('DEFAULT_LOCALE', 'en')

module StandIn
  def self.database_url
    ENV.fetch('DATABASE_URL')
  end

  def self.connect!(url = database_url)
    ActiveRecord::Base.establish_connection(url: url, pool: Integer(ENV.fetch('RAILS_MAX_THREADS', '3')) + 2)
    ActiveRecord::Base.logger = nil
  end

  def self.log(msg, level: 'INFO')
    # Rails' production logger format (Logger::Formatter) on stdout.
    $stdout.puts "#{level[0]}, [#{Time.now.utc.strftime('%Y-%m-%dT%H:%M:%S.%6N')} ##{Process.pid}] #{level.rjust(5)} -- : #{msg}"
    $stdout.flush
  end
end

require_relative 'models'
