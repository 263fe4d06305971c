// Profiles: each names one upstream version (today's Notify, Notify of 2025 or 2021, later
// Emergency Alerts) and gives values to the settings whose behaviour differs between versions.
// The table is data: a setting is a row of profile_settings(), a profile a row of profiles().
// A setting supplies the default of one scenario "core" option; an explicit option wins. Code
// below the scenario layer never sees a profile, only the option structs built from its values.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace notify::profiles {

/// A profile name that does not exist, a value of the wrong type, or an option that contradicts
/// its profile. what() is one line naming the value and the known profiles.
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One behaviour that differs between upstream versions.
struct Setting {
  std::string name;         // namespaced: "sms.error_threshold", "email.ses_api", "broadcast.*"
  std::string core_option;  // the scenario "core" key whose default it supplies
  std::string description;  // one sentence for docs/profiles.md
};

/// A profile's value for one setting, and the upstream file:commit it was read from.
struct Value {
  std::string setting;
  std::string value;
  std::string source;
};

struct Profile {
  std::string name;        // "notify-2026-08"
  std::string repository;  // "alphagov/notifications-api"
  std::string commit;
  std::string date;  // of the commit, YYYY-MM-DD
  std::string summary;
  /// The settings this profile fixes. A setting it leaves out keeps its option's own default
  /// (a broadcast-only profile gives only broadcast.* values).
  std::vector<Value> values;

  const Value* find(const std::string& setting) const;
};

inline constexpr const char* kDefaultProfile = "notify-2026-08";
inline constexpr const char* kProfileEnv = "NOTIFY_SIM_PROFILE";

const std::vector<Setting>& settings();
const std::vector<Profile>& all();
const Setting* find_setting(const std::string& name);

/// The profile called `name`. Throws ProfileError: `<what> "<name>": unknown profile; the
/// profiles are notify-2026-08 (default), ...`.
const Profile& find(const std::string& name, const std::string& what);
/// "notify-2026-08 (default), notify-2025-07, notify-2021", for error messages.
std::string known();

/// Which profile runs: the command line's, else the scenario's "profile" key, else the
/// environment's NOTIFY_SIM_PROFILE, else the default. Nothing is checked here.
std::string choose(const std::optional<std::string>& command_line,
                   const std::optional<std::string>& scenario_key,
                   const std::optional<std::string>& environment);

/// The "core" options of `profile` with the explicit ones laid over them. Throws ProfileError
/// when an explicit option contradicts the profile in a way that cannot run (e.g. Redis off
/// under a profile that consults no rate limit).
std::map<std::string, std::string> core_options(
    const Profile& profile, const std::map<std::string, std::string>& explicit_options);

}  // namespace notify::profiles
