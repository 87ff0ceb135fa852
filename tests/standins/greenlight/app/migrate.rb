# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: what `rails db:create`, `rails db:migrate` and
# `rails db:migrate:with_data` do on every start of Greenlight's bin/start,
# reduced to the tables bbb-chapter touches (upstream db/schema.rb and db/data/*.rb at
# https://github.com/bigbluebutton/greenlight/tree/release-3.8.2.4/db). Idempotent:
# tables are created if missing, seed rows inserted if missing, and the
# migration versions recorded in schema_migrations / data_migrations.
require_relative 'boot'

module StandIn
  SCHEMA_VERSIONS = %w[
    20220229174948 20220314184634 20220315151617 20220317142349 20220411192122 20220412180711
    20220418171035 20220418171152 20220421185735 20220505192018 20220531180853 20220531182239
    20220609103801 20220614120002 20220615145721 20220616175700 20220711200055 20220712202439
    20220713143235 20220721131241 20220721143652 20220721144137 20220914190934 20220928193827
    20221012200427 20221019201841 20221025184305 20230227213252 20230301203522 20230307184209
    20230705183745 20230705183746 20230705183747 20260109153256 20260402000000
  ].freeze
  DATA_VERSIONS = %w[
    20220421162907 20220531182437 20220712202649 20220713143528 20220721131636 20220721145016
    20220721145933 20220929144051 20220930022007 20221003201116 20221115190918 20221116010619
    20230123174546 20230228193705 20231030185844 20231117151542 20231210154647 20231213203353
    20240123184213 20240125154727 20240205160221 20240209155229 20240423162700 20240812210436
    20250130160334 20250501185954 20260119170745 20260402000001
  ].freeze

  TS = 'created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL'
  ID = 'id uuid PRIMARY KEY DEFAULT gen_random_uuid()'
  SCHEMA = <<~SQL
    CREATE EXTENSION IF NOT EXISTS pgcrypto;
    CREATE TABLE IF NOT EXISTS schema_migrations (version varchar PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS data_migrations (version varchar PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS ar_internal_metadata (key varchar PRIMARY KEY, value varchar, #{TS});
    CREATE TABLE IF NOT EXISTS roles (#{ID}, name varchar NOT NULL, color varchar NOT NULL DEFAULT '',
      provider varchar NOT NULL, #{TS});
    CREATE UNIQUE INDEX IF NOT EXISTS index_roles_on_name_and_provider ON roles (name, provider);
    CREATE TABLE IF NOT EXISTS permissions (#{ID}, name varchar NOT NULL, #{TS});
    CREATE TABLE IF NOT EXISTS role_permissions (#{ID}, role_id uuid REFERENCES roles(id),
      permission_id uuid REFERENCES permissions(id), value varchar NOT NULL, #{TS});
    CREATE INDEX IF NOT EXISTS index_role_permissions_on_role_id ON role_permissions (role_id);
    CREATE INDEX IF NOT EXISTS index_role_permissions_on_permission_id ON role_permissions (permission_id);
    CREATE TABLE IF NOT EXISTS users (#{ID}, name varchar NOT NULL, email varchar NOT NULL,
      external_id varchar, provider varchar NOT NULL, password_digest varchar, last_login timestamp(6),
      #{TS}, role_id uuid REFERENCES roles(id), language varchar NOT NULL, reset_digest varchar,
      reset_sent_at timestamp(6), verified boolean DEFAULT false, verification_digest varchar,
      verification_sent_at timestamp(6), session_token varchar, session_expiry timestamp(6),
      status integer DEFAULT 0);
    CREATE UNIQUE INDEX IF NOT EXISTS index_users_on_email_and_provider ON users (email, provider);
    CREATE UNIQUE INDEX IF NOT EXISTS index_users_on_reset_digest ON users (reset_digest);
    CREATE INDEX IF NOT EXISTS index_users_on_role_id ON users (role_id);
    CREATE UNIQUE INDEX IF NOT EXISTS index_users_on_session_token ON users (session_token);
    CREATE UNIQUE INDEX IF NOT EXISTS index_users_on_verification_digest ON users (verification_digest);
    CREATE TABLE IF NOT EXISTS rooms (#{ID}, user_id uuid REFERENCES users(id), name varchar NOT NULL,
      friendly_id varchar NOT NULL, meeting_id varchar NOT NULL, last_session timestamp(6), #{TS},
      recordings_processing integer DEFAULT 0, online boolean DEFAULT false);
    CREATE UNIQUE INDEX IF NOT EXISTS index_rooms_on_friendly_id ON rooms (friendly_id);
    CREATE UNIQUE INDEX IF NOT EXISTS index_rooms_on_meeting_id ON rooms (meeting_id);
    CREATE INDEX IF NOT EXISTS index_rooms_on_user_id ON rooms (user_id);
    CREATE TABLE IF NOT EXISTS meeting_options (#{ID}, name varchar, default_value varchar, #{TS});
    CREATE UNIQUE INDEX IF NOT EXISTS index_meeting_options_on_name ON meeting_options (name);
    CREATE TABLE IF NOT EXISTS room_meeting_options (#{ID}, room_id uuid REFERENCES rooms(id),
      meeting_option_id uuid REFERENCES meeting_options(id), value varchar, #{TS});
    CREATE INDEX IF NOT EXISTS index_room_meeting_options_on_room_id ON room_meeting_options (room_id);
    CREATE INDEX IF NOT EXISTS index_room_meeting_options_on_meeting_option_id ON room_meeting_options (meeting_option_id);
    CREATE TABLE IF NOT EXISTS rooms_configurations (#{ID}, meeting_option_id uuid REFERENCES meeting_options(id),
      provider varchar NOT NULL, value varchar NOT NULL, #{TS});
    CREATE UNIQUE INDEX IF NOT EXISTS index_rooms_configurations_on_meeting_option_id_and_provider
      ON rooms_configurations (meeting_option_id, provider);
    CREATE INDEX IF NOT EXISTS index_rooms_configurations_on_meeting_option_id ON rooms_configurations (meeting_option_id);
    CREATE TABLE IF NOT EXISTS settings (#{ID}, name varchar, #{TS});
    CREATE UNIQUE INDEX IF NOT EXISTS index_settings_on_name ON settings (name);
    CREATE TABLE IF NOT EXISTS site_settings (#{ID}, setting_id uuid REFERENCES settings(id),
      value varchar NOT NULL, provider varchar NOT NULL, #{TS});
    CREATE INDEX IF NOT EXISTS index_site_settings_on_setting_id ON site_settings (setting_id);
    CREATE TABLE IF NOT EXISTS recordings (#{ID}, room_id uuid REFERENCES rooms(id), name varchar NOT NULL,
      record_id varchar NOT NULL, visibility varchar NOT NULL, length integer NOT NULL,
      participants integer NOT NULL, protectable boolean, recorded_at timestamp, #{TS});
    CREATE INDEX IF NOT EXISTS index_recordings_on_room_id ON recordings (room_id);
    CREATE TABLE IF NOT EXISTS formats (#{ID}, recording_id uuid REFERENCES recordings(id),
      recording_type varchar NOT NULL, url varchar NOT NULL, #{TS});
    CREATE INDEX IF NOT EXISTS index_formats_on_recording_id ON formats (recording_id);
    CREATE TABLE IF NOT EXISTS shared_accesses (#{ID}, user_id uuid NOT NULL REFERENCES users(id),
      room_id uuid NOT NULL REFERENCES rooms(id), #{TS});
    CREATE UNIQUE INDEX IF NOT EXISTS index_shared_accesses_on_user_id_and_room_id ON shared_accesses (user_id, room_id);
  SQL

  MEETING_OPTIONS = {
    'record' => 'false', 'muteOnStart' => 'false', 'guestPolicy' => 'ALWAYS_ACCEPT',
    'glAnyoneCanStart' => 'false', 'glAnyoneJoinAsModerator' => 'false',
    'glRequireAuthentication' => 'false', 'glModeratorAccessCode' => '', 'glViewerAccessCode' => '',
    'serverTag' => '', 'serverTagRequired' => 'false'
  }.freeze
  ROOMS_CONFIGURATIONS = MEETING_OPTIONS.keys.to_h { |n| [n, 'optional'] }
                                        .merge('record' => 'default_enabled', 'muteOnStart' => 'default_enabled')
  ALL_VISIBILITIES = '["Published", "Unpublished", "Protected", "Public", "Public/Protected"]'
  PERMISSIONS = {
    # name => [Administrator, User, Guest, SuperAdmin]
    'CreateRoom' => %w[true true false true], 'ManageUsers' => %w[true false false true],
    'ManageRooms' => %w[true false false true], 'ManageRecordings' => %w[true false false true],
    'ManageSiteSettings' => %w[true false false true], 'ManageRoles' => %w[true false false true],
    'SharedList' => %w[true true true false], 'CanRecord' => %w[true true true true],
    'RoomLimit' => %w[100 100 100 100], 'EmailOnSignup' => %w[true false false false],
    'AccessToVisibilities' => [ALL_VISIBILITIES] * 4
  }.freeze
  SITE_SETTINGS = {
    'PrimaryColor' => '#467fcf', 'PrimaryColorLight' => '#e8eff9', 'PrimaryColorDark' => '#316cbe',
    'BrandingImage' => '/assets/bbb_logo-standin.png', 'Terms' => '', 'PrivacyPolicy' => '',
    'RegistrationMethod' => 'open', 'ShareRooms' => 'true', 'PreuploadPresentation' => 'true',
    'RoleMapping' => '', 'ResyncOnLogin' => 'true', 'DefaultRole' => 'User',
    'DefaultRecordingVisibility' => 'Published', 'HelpCenter' => '', 'Maintenance' => '',
    'SessionTimeout' => '1', 'AllowedDomains' => '', 'SignInOnRoomJoin' => 'true',
    'AccessibilityStatement' => '', 'AllowNameUpdate' => 'true'
  }.freeze

  def self.create_database!
    url = URI.parse(database_url)
    name = url.path.delete_prefix('/')
    admin = url.dup
    admin.path = '/postgres'
    connect!(admin.to_s)
    conn = ActiveRecord::Base.connection
    unless conn.select_value("SELECT 1 FROM pg_database WHERE datname = #{conn.quote(name)}")
      conn.execute("CREATE DATABASE #{conn.quote_table_name(name)}")
      log "Created database '#{name}'"
    end
    connect!
  end

  # The schema version only the broken-release variant writes.
  BROKEN_RELEASE_VERSION = '29990101000000'

  def self.migrate!
    conn = ActiveRecord::Base.connection
    conn.execute(SCHEMA)
    SCHEMA_VERSIONS.each { |v| conn.execute("INSERT INTO schema_migrations VALUES (#{conn.quote(v)}) ON CONFLICT DO NOTHING") }
    # The broken-release variant (tests/standins/greenlight-broken) migrates one step further,
    # as a new release would, before it fails its health check: a rollback must undo it.
    if ENV['STANDIN_BROKEN_RELEASE'] == 'true'
      conn.execute("INSERT INTO schema_migrations VALUES (#{conn.quote(BROKEN_RELEASE_VERSION)}) ON CONFLICT DO NOTHING")
    end
    now = conn.quote(Time.now.utc)
    conn.execute("INSERT INTO ar_internal_metadata VALUES ('environment', 'production', #{now}, #{now}) ON CONFLICT DO NOTHING")
  end

  def self.seed!
    return if DataVersion.exists?(version: DATA_VERSIONS.last)

    ApplicationRecord.transaction do
      MEETING_OPTIONS.each { |name, v| MeetingOption.find_or_create_by!(name:) { |o| o.default_value = v } }
      ROOMS_CONFIGURATIONS.each do |name, v|
        RoomsConfiguration.find_or_create_by!(meeting_option: MeetingOption.find_by!(name:), provider: 'greenlight') do |c|
          c.value = v
        end
      end
      roles = [%w[Administrator greenlight], %w[User greenlight], %w[Guest greenlight], %w[SuperAdmin bn]]
                .map { |name, provider| Role.find_or_create_by!(name:, provider:) }
      PERMISSIONS.each do |name, values|
        permission = Permission.find_or_create_by!(name:)
        roles.zip(values).each do |role, value|
          RolePermission.find_or_create_by!(role:, permission:) { |rp| rp.value = value }
        end
      end
      SITE_SETTINGS.each do |name, value|
        setting = Setting.find_or_create_by!(name:)
        SiteSetting.find_or_create_by!(setting:, provider: 'greenlight') { |s| s.value = value }
      end
      DATA_VERSIONS.each { |v| DataVersion.find_or_create_by!(version: v) }
    end
  end

  def self.pending_migrations
    done = ActiveRecord::Base.connection.select_values('SELECT version FROM schema_migrations')
    SCHEMA_VERSIONS - done
  end

  class DataVersion < ApplicationRecord
    self.table_name = 'data_migrations'
    self.primary_key = 'version'
    self.record_timestamps = false
  end
end
