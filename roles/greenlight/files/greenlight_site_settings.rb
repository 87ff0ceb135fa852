# frozen_string_literal: true

# Applies site settings (role greenlight). Run inside the greenlight-v3 container:
#   docker exec -i -e GREENLIGHT_SITE_SETTINGS greenlight-v3 bundle exec rails runner - < this file
# GREENLIGHT_SITE_SETTINGS is a JSON object {"SettingName": "value", ...}.
# Only values that differ are written. Prints one status line:
#   BBB_CHAPTER_RESULT {"changed":true|false,"changes":{name: [old, new]}}
require 'json'

marker = 'BBB_CHAPTER_RESULT '
provider = 'greenlight'
wanted = JSON.parse(ENV.fetch('GREENLIGHT_SITE_SETTINGS'))
changes = {}

SiteSetting.transaction do
  wanted.each do |name, value|
    setting = Setting.find_by(name:)
    if setting.nil?
      warn "Unknown site setting #{name}: has Greenlight's data migration run?"
      exit 1
    end
    site_setting = SiteSetting.find_by(setting:, provider:)
    if site_setting.nil?
      warn "No site setting #{name} for provider #{provider}"
      exit 1
    end
    next if site_setting.value == value.to_s

    changes[name] = [site_setting.value, value.to_s]
    site_setting.update!(value: value.to_s)
  end
end

puts marker + JSON.generate(changed: !changes.empty?, changes:)
