# frozen_string_literal: true

# Creates Greenlight's first administrator once (role greenlight).
# Run inside the greenlight-v3 container:
#   docker exec -i -e GREENLIGHT_ADMIN_NAME -e GREENLIGHT_ADMIN_EMAIL \
#     -e GREENLIGHT_ADMIN_PASSWORD greenlight-v3 bundle exec rails runner - < this file
# The password comes from the environment, never from the command line, and is
# never printed. An existing account with that e-mail is left alone (its
# password may have been changed in the UI since). Prints one status line:
#   BBB_CHAPTER_RESULT {"changed":true|false,...}
require 'json'

marker = 'BBB_CHAPTER_RESULT '
name = ENV.fetch('GREENLIGHT_ADMIN_NAME')
email = ENV.fetch('GREENLIGHT_ADMIN_EMAIL').downcase
password = ENV.fetch('GREENLIGHT_ADMIN_PASSWORD')
provider = 'greenlight'

if User.where(provider:).where('lower(email) = ?', email).exists?
  puts marker + JSON.generate(changed: false, email:, msg: 'administrator exists')
  exit 0
end

role = Role.find_by(name: 'Administrator', provider:)
if role.nil?
  warn "Role 'Administrator' does not exist: have Greenlight's migrations run?"
  exit 1
end

user = User.new(name:, email:, password:, provider:, role:, language: I18n.default_locale,
                verified: true, status: :active)
unless user.save
  warn "Unable to create the administrator: #{user.errors.full_messages.to_json}"
  exit 1
end
puts marker + JSON.generate(changed: true, email:, msg: 'administrator created')
