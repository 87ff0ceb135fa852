# frozen_string_literal: true

# STAND-IN FOR TESTS ONLY: ActiveRecord models following Greenlight v3's
# app/models/*.rb behaviour (validations, callbacks, helpers) for the tables
# bbb-chapter touches, from
# https://github.com/bigbluebutton/greenlight/tree/release-3.8.2.4/app/models
# (room.rb, user.rb, meeting_option.rb, role.rb, recording.rb, site_setting.rb, ...).
# See boot.rb.

class ApplicationRecord < ActiveRecord::Base
  self.abstract_class = true
  self.implicit_order_column = 'created_at'
end

class Role < ApplicationRecord
  COLORS = { 'Administrator' => '#228B22', 'User' => '#4169E1', 'Guest' => '#FFA500' }.freeze
  has_many :users
  has_many :role_permissions, dependent: :destroy
  validates :name, presence: true, uniqueness: { scope: :provider, case_sensitive: false }
  validates :provider, presence: true
  before_validation :set_color, on: :create

  private

  def set_color
    self.color = COLORS.fetch(name, format('#%06x', SecureRandom.random_number(0xffffff)))
  end
end

class Permission < ApplicationRecord
  has_many :role_permissions
end

class RolePermission < ApplicationRecord
  belongs_to :role
  belongs_to :permission
end

class User < ApplicationRecord
  PASSWORD_FORMAT = /\A(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[`@%~!#£$\\^&*()\]\[+={}\/|:;"'<>\-,.? _]).{8,}\z/
  has_secure_password validations: false
  belongs_to :role
  has_many :rooms, dependent: :destroy
  has_many :shared_accesses, dependent: :delete_all
  enum status: { active: 0, pending: 1, banned: 2 }

  validates :name, presence: true, length: { minimum: 1, maximum: 255 }
  validates :email, presence: true, length: { minimum: 5, maximum: 255 },
                    format: /\A[\w\-.+]+@[\w\-.]+\.[a-z]+\z/i,
                    uniqueness: { scope: :provider, case_sensitive: false }
  validates :password, presence: true, on: :create, unless: :external_id?
  validates :password, length: { maximum: 255 }, format: PASSWORD_FORMAT,
                       if: :password_validation_needed?
  validates :session_token, presence: true
  validates :session_expiry, presence: true
  validate :check_user_role_provider
  before_validation :set_session_token, on: :create

  def super_admin?
    role&.name == 'SuperAdmin' && role&.provider == 'bn'
  end

  private

  def password_validation_needed?
    !external_id? && password_digest_changed?
  end

  def set_session_token
    self.session_token = Digest::SHA256.hexdigest(SecureRandom.alphanumeric(40))
    self.session_expiry = 24.hours.from_now
  end

  def check_user_role_provider
    return if role.nil? || role.provider == provider

    errors.add(:user_provider, 'has to be the same as the Role provider')
  end
end

class MeetingOption < ApplicationRecord
  has_many :room_meeting_options
  has_many :rooms_configurations

  def true_value
    if name.end_with?('AccessCode')
      SecureRandom.alphanumeric(6).downcase
    elsif name == 'guestPolicy'
      'ASK_MODERATOR'
    else
      'true'
    end
  end

  def self.get_setting_value(name:, room_id:)
    joins(:room_meeting_options).select(:value).find_by(name:, room_meeting_options: { room_id: })
  end

  def self.get_config_value(name:, provider:)
    joins(:rooms_configurations)
      .where(name:, rooms_configurations: { provider: })
      .pluck(:name, :'rooms_configurations.value').to_h
  end
end

class RoomsConfiguration < ApplicationRecord
  belongs_to :meeting_option
end

class RoomMeetingOption < ApplicationRecord
  belongs_to :room
  belongs_to :meeting_option
  delegate :name, to: :meeting_option
end

class Room < ApplicationRecord
  belongs_to :user
  has_many :room_meeting_options, dependent: :destroy
  has_many :meeting_options, through: :room_meeting_options
  has_many :recordings, dependent: :destroy
  has_many :shared_accesses, dependent: :destroy
  has_many :shared_users, through: :shared_accesses, class_name: 'User', source: :user

  validates :name, presence: true, length: { minimum: 1, maximum: 255 }
  validates :friendly_id, presence: true, uniqueness: true
  validates :meeting_id, presence: true, uniqueness: true
  validates :recordings_processing, numericality: { only_integer: true, greater_than_or_equal_to: 0 }

  before_validation :set_friendly_id, :set_meeting_id, on: :create
  after_create :create_meeting_options

  # Upstream: where(user: { provider: }), always used after includes(:user)
  # (RoomsController/MeetingsController#find_room); joins gives the same rows here.
  scope :with_provider, ->(provider) { joins(:user).where(users: { provider: }) }

  def get_setting(name:)
    room_meeting_options.joins(:meeting_option).find_by(meeting_options: { name: })
  end

  private

  # Upstream (room.rb set_friendly_id / set_meeting_id): 12 random lower-case
  # alphanumerics in 4 groups of 3 (40 for meeting_id); `raise if exists?` +
  # `rescue StandardError; retry`, i.e. retried until unique.
  def set_friendly_id
    loop do
      self.friendly_id = SecureRandom.alphanumeric(12).downcase.scan(/.../).join('-')
      break unless Room.exists?(friendly_id:)
    end
  end

  def set_meeting_id
    loop do
      self.meeting_id = SecureRandom.alphanumeric(40).downcase
      break unless Room.exists?(meeting_id:)
    end
  end

  def create_meeting_options
    configs = RoomsConfiguration.joins(:meeting_option).where(provider: user.provider)
                                .pluck(:'meeting_options.name', :value).to_h
    MeetingOption.find_each do |option|
      value = if %w[true default_enabled].include?(configs[option.name])
                option.true_value
              else
                option.default_value
              end
      RoomMeetingOption.create(room: self, meeting_option: option, value:)
    end
  end
end

class SharedAccess < ApplicationRecord
  belongs_to :user
  belongs_to :room
end

class Recording < ApplicationRecord
  VISIBILITIES = ['Published', 'Unpublished', 'Protected', 'Public', 'Public/Protected'].freeze
  belongs_to :room
  has_many :formats, dependent: :destroy
  validates :name, :record_id, :length, :participants, presence: true
  validates :visibility, inclusion: VISIBILITIES
  after_destroy do
    # Upstream calls BigBlueButton's deleteRecordings here; the stand-in
    # refuses to pretend that happened.
    raise NotImplementedError, 'stand-in: Recording#destroy would call BBB deleteRecordings'
  end
end

class Format < ApplicationRecord
  belongs_to :recording
end

class Setting < ApplicationRecord
  has_many :site_settings
end

class SiteSetting < ApplicationRecord
  REGISTRATION_METHODS = { open: 'open', invite: 'invite', approval: 'approval' }.freeze
  belongs_to :setting
  validates :value, presence: true, allow_blank: true
end
