# frozen_string_literal: true

# Ensures the chapter's one landing room in Greenlight v3 (role landing_room).
# Run inside the greenlight-v3 container through the greenlight role's
# tasks/runner.yml (`docker exec -i greenlight-v3 bundle exec rails runner -`,
# the values arriving with the script on stdin, set into ENV by its header):
# LANDING_ROOM is JSON: {"friendly_id", "name", "owner_email",
# "options": {meeting option name => value}}; the access codes come in their
# own variables and are never printed.
#
# Keyed on friendly_id: creates the room when it is missing (owned by the
# owner, with the chosen id, the way upstream's v2->v3 migration endpoint
# does: no-op set_friendly_id on the instance, so the generated meeting_id and
# the after_create option rows stay Greenlight's own); otherwise changes only
# what differs (name, owner, option rows). Never deletes or re-creates: the
# room's id, meeting_id, recordings and shares survive. Fails without a change
# when a forced site-wide room configuration (rooms_configurations 'true' or
# 'false') would override a wanted value. Prints one status line:
#   BBB_CHAPTER_RESULT {"changed":..,"created":..,"friendly_id":..,"changes":[names]}
require 'json'

marker = 'BBB_CHAPTER_RESULT '
provider = 'greenlight'
config = JSON.parse(ENV.fetch('LANDING_ROOM'))
friendly_id = config.fetch('friendly_id')
name = config.fetch('name')
owner_email = config.fetch('owner_email').downcase
wanted = config.fetch('options').transform_values(&:to_s)
wanted['glViewerAccessCode'] = ENV.fetch('LANDING_ROOM_VIEWER_ACCESS_CODE')
wanted['glModeratorAccessCode'] = ENV.fetch('LANDING_ROOM_MODERATOR_ACCESS_CODE', '')

owner = User.where(provider:).where('lower(email) = ?', owner_email).first
if owner.nil?
  warn "No Greenlight account #{owner_email} (provider #{provider}) to own the landing room: " \
       'set landing_room_owner_email to an existing account (default: greenlight_admin_email).'
  exit 1
end

options = MeetingOption.where(name: wanted.keys).index_by(&:name)
missing = wanted.keys - options.keys
unless missing.empty?
  warn "Unknown meeting options #{missing.join(', ')}: have Greenlight's data migrations run?"
  exit 1
end

# RoomSettingsGetter: a forced config ('true'/'false') replaces the room's value.
forced = RoomsConfiguration.where(provider:, meeting_option_id: options.values.map(&:id))
                           .to_h { |c| [options.values.find { |o| o.id == c.meeting_option_id }.name, c.value] }
conflicts = wanted.filter_map do |option, value|
  setting = forced[option]
  next unless %w[true false].include?(setting)

  effective = if option == 'guestPolicy'
                setting == 'true' ? 'ASK_MODERATOR' : 'ALWAYS_ACCEPT'
              elsif option.end_with?('AccessCode')
                setting == 'false' ? '' : value
              else
                setting
              end
  "#{option} (forced to '#{setting}')" unless effective == value
end
unless conflicts.empty?
  warn "Greenlight's room configuration forces #{conflicts.join(', ')} for every room, so the " \
       'landing room would not get its settings. Set those options to "optional" or ' \
       '"default_enabled" in Greenlight (Administrator panel > Room Configuration), or change ' \
       'the landing_room_* variables to match.'
  exit 1
end

created = false
changes = []
room = nil
Room.transaction do
  room = Room.find_by(friendly_id:)
  if room.nil?
    room = Room.new(name:, user: owner)
    room.define_singleton_method(:set_friendly_id) { nil }
    room.friendly_id = friendly_id
    room.save!
    created = true
  else
    changes << 'name' if room.name != name
    changes << 'owner' if room.user_id != owner.id
    room.update!(name:, user: owner) unless changes.empty?
  end

  wanted.each do |option, value|
    rows = RoomMeetingOption.where(room:, meeting_option: options.fetch(option)).to_a
    if rows.empty?
      RoomMeetingOption.create!(room:, meeting_option: options.fetch(option), value:)
      changes << option
    end
    # No unique index on (room, option): keep every duplicate row consistent.
    rows.each do |row|
      next if row.value == value

      row.update!(value:)
      changes << option
    end
  end
end

puts marker + JSON.generate(changed: created || !changes.empty?, created:, friendly_id:,
                            room_id: room.id, changes: changes.uniq)
