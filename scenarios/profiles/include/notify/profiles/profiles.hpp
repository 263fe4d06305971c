// Profiles: each names one upstream version (today's Notify, Notify of 2025 or 2021, Notify's
// broadcast code of 2023, today's Emergency Alerts) and gives values to the settings whose
// behaviour differs between versions. The table is data: a setting is a row of settings(), a
// profile a row of all(). A profile covers channel families (the prefix of its settings' names:
// email, sms, telemetry, lifecycle, broadcast) and fixes every setting of those families; a run
// has one profile per family, so what runs is a combination such as
// "notify-2026-08+emergency-alerts-2026-08".
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
  std::string name;        // "notify-2026-08"; a combination: "notify-2021+notify-2023"
  std::string repository;  // "alphagov/notifications-api"
  std::string commit;
  std::string date;  // of the commit, YYYY-MM-DD
  std::string summary;
  /// The channel families it covers: {"email", "sms", "telemetry", "lifecycle"} or {"broadcast"}.
  std::vector<std::string> families;
  /// The settings this profile fixes: every setting of its families.
  std::vector<Value> values;

  const Value* find(const std::string& setting) const;
};

/// The default of the email, sms, telemetry and lifecycle families.
inline constexpr const char* kDefaultProfile = "notify-2026-08";
/// The default of the broadcast family.
inline constexpr const char* kDefaultBroadcastProfile = "emergency-alerts-2026-08";
/// What runs when nothing names a profile.
inline constexpr const char* kDefaultCombination = "notify-2026-08+emergency-alerts-2026-08";
inline constexpr const char* kProfileEnv = "NOTIFY_SIM_PROFILE";

const std::vector<Setting>& settings();
const std::vector<Profile>& all();
const Setting* find_setting(const std::string& name);
/// The family of a setting: its name up to the first '.'.
std::string family_of(const std::string& setting);
/// Every family, in the order a combination's name lists them.
const std::vector<std::string>& families();

/// One place a choice of profiles can come from ("--profile", "profile", NOTIFY_SIM_PROFILE)
/// and what it says: one name or a list joined by ',' or '+'; unset or empty says nothing.
struct Choice {
  std::optional<std::string> spec;
  std::string what;
};

/// The profiles that run: for each family, the first choice that names a profile covering it,
/// else the family's default. The result's name joins them with '+' in table order
/// ("notify-2021+notify-2023"), and its values are theirs. Throws ProfileError, naming the
/// choice's `what` and text, for an unknown name (`... unknown profile; the profiles are ...`)
/// or for two profiles of one choice that cover the same family (naming both).
Profile resolve(const std::vector<Choice>& choices);
/// resolve({{spec, what}}): `spec` alone, defaults for the families it leaves out.
Profile find(const std::string& spec, const std::string& what);
/// "notify-2026-08 (default), notify-2025-07, notify-2021 for email, sms, ...; ...", for error
/// messages.
std::string known();

/// The "core" options of `profile` (a single profile or a combination) with the explicit ones laid over them. Throws ProfileError
/// when an explicit option contradicts the profile in a way that cannot run (e.g. Redis off
/// under a profile that consults no rate limit).
std::map<std::string, std::string> core_options(
    const Profile& profile, const std::map<std::string, std::string>& explicit_options);

}  // namespace notify::profiles
