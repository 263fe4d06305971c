// The profile table. To add a setting: one row in kSettings (its name, the core option whose
// default it supplies, one sentence), then one Value line in each profile that fixes it, with the
// upstream file:commit the value was read from, and its row in docs/profiles.md (a test compares
// the page with this table).
#include "notify/profiles/profiles.hpp"

#include <algorithm>

namespace notify::profiles {

namespace {

// notifications-api commits (alphagov/notifications-api).
#define NOTIFY_TODAY "8ea236603"
#define NOTIFY_2025 "2388d3aa"
#define NOTIFY_2021 "494a01ba5"
// emergency-alerts-api commits (alphagov/emergency-alerts-api).
#define EAS_TODAY "abe897a01c2f"

const std::vector<std::string> kNotifyFamilies = {"email", "sms", "telemetry", "lifecycle"};
const std::vector<std::string> kBroadcastFamily = {"broadcast"};
const std::vector<std::string> kFamilies = {"email", "sms", "telemetry", "lifecycle", "broadcast"};

const std::vector<Setting> kSettings = {
    {"email.client", "email_client",
     "Which email client the core uses: `ses` (AWS SES, as Notify in production) or `ses_stub` "
     "(the contract of Notify's own SES stub, used when only SES_STUB_URL is set)."},
    {"email.ses_api", "ses_api",
     "The SES API Notify's email client calls: `v1` (Query `SendEmail`) or `v2` (JSON "
     "`/v2/email/outbound-emails`)."},
    {"email.ses_retry_mode", "ses_retry_mode",
     "botocore's own retries inside one SES send: `legacy` (boto3's default, which Notify keeps) "
     "or `off`."},
    {"email.ses_v2_bad_request", "ses_v2_bad_request",
     "How the v2 client classifies `BadRequestException`: `as-notify` (retried 48 times, Notify's "
     "latent quirk) or `fixed` (a technical failure at once)."},
    {"sms.urls", "sms_urls",
     "The SMS providers' paths: `api` (Firetext's `/api/sendsms/json`, MMG's "
     "`/jsonv2a/api.php`, Notify's FIRETEXT_URL / MMG_URL defaults) or `notify_stub` (`/firetext`, "
     "`/mmg` of Notify's SMS provider stub)."},
    {"sms.http_timeout_s", "sms_http_timeout_s",
     "Connect and read time-out, in seconds, of each request to Firetext or MMG."},
    {"sms.error_threshold", "sms_error_threshold",
     "A failed send lowers its provider's priority only when that provider had more than this "
     "many errors within `sms.error_window_s` (Notify's Redis rate limit `{provider}-error-rate`); "
     "`none`: every failed send does."},
    {"sms.error_window_s", "sms_error_window_s",
     "The sliding window, in seconds, over which `sms.error_threshold` counts errors."},
    {"sms.redis", "sms_redis",
     "Whether the rate limit's Redis is on. `off` (Notify's development default): the limit is "
     "never exceeded, so failed sends never lower a priority. Only with an error threshold."},
    {"sms.provider_choice", "sms_provider_choice",
     "How each send picks a provider: `cached-list` (a weighted draw for every send over "
     "priorities read at most `sms.provider_cache_s` ago), `cached-choice` (the drawn provider "
     "itself is kept for `sms.provider_cache_s`, so every send in that time goes to it) or `live` "
     "(a fresh draw over the current priorities)."},
    {"sms.provider_cache_s", "sms_provider_cache_s",
     "How long, in seconds, the provider cache of `sms.provider_choice` keeps an entry."},
    {"sms.rebalance_quiet_s", "sms_rebalance_quiet_s",
     "Priorities drift back towards their resting points only after this many seconds without a "
     "change."},
    {"sms.priority_reasons", "sms_priority_reasons",
     "Whether each priority change's history row and log line carry Notify's reason (`Reduced due "
     "to reduced reliability`, `Increased due to reduced reliability in other provider`, `Adjusted "
     "back to resting point`)."},
    {"sms.firetext_receipt_credentials", "firetext_receipt_credentials",
     "Whether the Firetext `receipt` URL carries `user:pass@` (`basic`, as Notify sends it when "
     "FIRETEXT_DELIVERY_STATUS_CALLBACK_BASIC_AUTH_CREDENTIALS is set) or not (`off`)."},
    {"sms.mmg_receipt_credentials", "mmg_receipt_credentials",
     "Whether the MMG `delurl` carries `user:pass@` (`basic`, as Notify sends it when "
     "MMG_DELIVERY_STATUS_CALLBACK_BASIC_AUTH_CREDENTIALS is set) or not (`off`)."},
    {"broadcast.connection_errors", "cbc_connection_errors",
     "What a connection error invoking a CBC proxy Lambda does: `propagate` (escapes the "
     "invocation: no failover, no retry) or `failover` (caught like any other error)."},
    {"broadcast.routing", "cbc_routing",
     "How a send reaches a CBC: `two-lambdas` (the operator's first Lambda, then its failover "
     "Lambda, each to the CBC endpoint of its own AZ) or `four-routes` ((primary, cbc_a), "
     "(primary, cbc_b), (secondary, cbc_a), (secondary, cbc_b), the payload's `cbc_target` "
     "naming the endpoint; link tests try all four)."},
    {"broadcast.error_payload", "cbc_error_payload",
     "What a Lambda FunctionError whose payload is not JSON does under `four-routes`: `logged` "
     "(read for the log only: a failed route), `json-decode-error` (json.loads raises outside the "
     "proxy's try: the task records returned-error and does not retry) or `fixed` (a failed route "
     "like any other)."},
    {"broadcast.returned_error", "cbc_returned_error",
     "Whether the send task adds a `returned-error` status entry on every failure and allows a "
     "resend after it (`on`), or sets only `returned-ack` (`off`)."},
    {"broadcast.route_advisor", "cbc_route_advisor",
     "Whether the route advisor is on: each successful link test records its route as the "
     "operator's advice when the advice is more than 30 s old, and every send tries the advised "
     "route first (`on`); `off`: no advisor."},
    {"broadcast.link_test_every_s", "cbc_link_test_every_s",
     "How often, in seconds, the scheduled link tests run when a scenario's `link_tests` gives no "
     "`every_ms`."},
    {"broadcast.canary", "cbc_canary",
     "Whether the CBC proxy canary exists: `on` (a scenario's `canary` block invokes it) or `off` "
     "(the block is ignored, with an info line)."},
    {"broadcast.retries", "cbc_retries",
     "How the send task retries a retryable failure: `backoff` (after min(2^n, 240) s, for ever) "
     "or `queue` (redelivered 10 s later; after `broadcast.max_receive_count` receives, to the "
     "dead-letter queue, where a watcher records `returned-error-retry-exhausted`)."},
    {"broadcast.max_receive_count", "cbc_max_receive_count",
     "Under `queue` retries, how many times the task's message is received before the next "
     "failure sends it to the dead-letter queue (the queue's redrive maxReceiveCount)."},
    {"broadcast.ee_secondary", "cbc_ee_secondary",
     "Whether EE has a secondary Lambda (`present`), or not (`absent`, as on Emergency Alerts' "
     "staging, where ENVIRONMENT=staging makes it None): EE's sends then try (primary, cbc_a) "
     "and (primary, cbc_b) only and fail with \"ee-1-proxy and None lambdas failed\", and the "
     "link tests to the secondary invoke a function named `None`. Needs `four-routes`."},
    {"broadcast.account", "cbc_account",
     "The CBC account number the Lambdas are invoked in: `none` (FunctionName is the bare name, "
     "`ee-1-proxy`) or twelve digits (`\"123456789012\"`: FunctionName is the partial ARN "
     "`123456789012:function:ee-1-proxy`, as Emergency Alerts invokes across accounts when "
     "CBC_ACCOUNT_NUMBER is set). The Lambda stub answers ResourceNotFoundException unless its "
     "`account` is the same (123456789012 by default)."},
    {"broadcast.region", "cbc_region",
     "The region the Lambda client signs for (Emergency Alerts: AWS_REGION, eu-west-2 when "
     "unset); with `strict_sigv4` the Lambda stub refuses a signature scoped to another region "
     "than its own."},
    {"telemetry.metrics", "metrics",
     "Which metrics the core records: `otel` (today's OpenTelemetry instruments, "
     "`provider.request.duration`, `notification.send.duration`, ...) or `statsd` (the StatsD "
     "names Notify used before, `clients.ses.success`, `sms.total-time`, ...)."},
    {"lifecycle.replay_created_rule", "replay_created_rule",
     "Which notifications still `created` the quarter-hourly replay puts back on the queue: "
     "`age-limited` (created between 7 days and 1 hour ago, a warning for each) or `unbounded` "
     "(created at least an hour ago, however old, one info line per type)."},
    {"lifecycle.timeout_metric", "timeout_metric",
     "Whether the nightly sending time-out counts `timeout-sending.<provider>` in StatsD for each "
     "notification it times out: `statsd` or `off`."},
    {"lifecycle.beat_timezone", "beat_timezone",
     "The timezone of the scheduled tasks' crontabs (the nightly time-out runs at 00:05 in it): "
     "`UTC` or `Europe/London`."},
};

const std::vector<Profile> kProfiles = {
    {"notify-2026-08",
     "alphagov/notifications-api",
     NOTIFY_TODAY,
     "2026-08-20",
     "Today's Notify.",
     kNotifyFamilies,
     {
         {"email.client", "ses", "app/clients/email/aws_ses.py:" NOTIFY_TODAY},
         {"email.ses_api", "v2",
          "app/clients/email/aws_ses.py:" NOTIFY_TODAY " (boto3.client(\"sesv2\"))"},
         {"email.ses_retry_mode", "legacy",
          "app/clients/email/aws_ses.py:" NOTIFY_TODAY " (no retry Config)"},
         {"email.ses_v2_bad_request", "as-notify", "app/clients/email/aws_ses.py:" NOTIFY_TODAY},
         {"sms.urls", "api", "app/config.py:" NOTIFY_TODAY " (FIRETEXT_URL, MMG_URL)"},
         {"sms.http_timeout_s", "10", "app/clients/sms/firetext.py, mmg.py:22e746779 (timeout=10)"},
         {"sms.error_threshold", "50",
          "app/constants.py:" NOTIFY_TODAY
          " (SMS_PROVIDER_ERROR_THRESHOLD), app/delivery/send_to_providers.py:8b9a185b6"},
         {"sms.error_window_s", "60",
          "app/constants.py:" NOTIFY_TODAY " (SMS_PROVIDER_ERROR_INTERVAL)"},
         {"sms.redis", "on",
          "app/config.py:" NOTIFY_TODAY " (REDIS_ENABLED unless REDIS_ENABLED=0)"},
         {"sms.provider_choice", "cached-list",
          "app/delivery/send_to_providers.py, app/serialised_models.py:4da140d66"},
         {"sms.provider_cache_s", "10",
          "app/serialised_models.py:" NOTIFY_TODAY " (memory_cache(ttl=10))"},
         {"sms.rebalance_quiet_s", "900",
          "app/dao/provider_details_dao.py:c3822c1e9 (timedelta(minutes=15))"},
         {"sms.priority_reasons", "on", "app/dao/provider_details_dao.py:3331dced7"},
         {"sms.firetext_receipt_credentials", "basic",
          "app/clients/sms/firetext.py:2336be8b8 (add_authentication_to_url)"},
         {"sms.mmg_receipt_credentials", "basic",
          "app/clients/sms/mmg.py:b16f8afc9 (add_authentication_to_url)"},
         {"telemetry.metrics", "otel",
          "app/otel_metrics/:" NOTIFY_TODAY " (StatsD removed in 971d80af6)"},
         {"lifecycle.replay_created_rule", "age-limited",
          "app/dao/notifications_dao.py:1a442c36b (seven-day age limit)"},
         {"lifecycle.timeout_metric", "off",
          "app/celery/nightly_tasks.py:8a2f1d481 (timeout-sending.<provider> removed)"},
         {"lifecycle.beat_timezone", "UTC", "app/config.py:" NOTIFY_TODAY " (timezone UTC)"},
     }},
    {"notify-2025-07",
     "alphagov/notifications-api",
     NOTIFY_2025,
     "2025-07-28",
     "Notify when the core was modelled: SES v2, the 50-errors-a-minute threshold, a cached "
     "provider choice.",
     kNotifyFamilies,
     {
         {"email.client", "ses", "app/clients/email/aws_ses.py:" NOTIFY_2025},
         {"email.ses_api", "v2",
          "app/clients/email/aws_ses.py:" NOTIFY_2025
          " (boto3.client(\"sesv2\"), since 47d5294a0)"},
         {"email.ses_retry_mode", "legacy",
          "app/clients/email/aws_ses.py:" NOTIFY_2025 " (no retry Config)"},
         {"email.ses_v2_bad_request", "as-notify", "app/clients/email/aws_ses.py:" NOTIFY_2025},
         {"sms.urls", "api", "app/config.py:" NOTIFY_2025 " (FIRETEXT_URL, MMG_URL)"},
         {"sms.http_timeout_s", "60",
          "app/clients/sms/firetext.py, mmg.py:" NOTIFY_2025 " (timeout=60)"},
         {"sms.error_threshold", "50",
          "app/constants.py:" NOTIFY_2025 " (SMS_PROVIDER_ERROR_THRESHOLD)"},
         {"sms.error_window_s", "60",
          "app/constants.py:" NOTIFY_2025 " (SMS_PROVIDER_ERROR_INTERVAL)"},
         {"sms.redis", "on",
          "app/config.py:" NOTIFY_2025 " (REDIS_ENABLED unless REDIS_ENABLED=0)"},
         {"sms.provider_choice", "cached-choice",
          "app/delivery/send_to_providers.py:" NOTIFY_2025 " (TTLCache on provider_to_use)"},
         {"sms.provider_cache_s", "10",
          "app/delivery/send_to_providers.py:" NOTIFY_2025 " (TTLCache(maxsize=8, ttl=10))"},
         {"sms.rebalance_quiet_s", "900",
          "app/dao/provider_details_dao.py:" NOTIFY_2025 " (timedelta(minutes=15))"},
         {"sms.priority_reasons", "off",
          "app/dao/provider_details_dao.py:" NOTIFY_2025 " (no reason)"},
         {"sms.firetext_receipt_credentials", "off",
          "app/clients/sms/firetext.py:" NOTIFY_2025 " (a bare receipt URL)"},
         {"sms.mmg_receipt_credentials", "off",
          "app/clients/sms/mmg.py:" NOTIFY_2025 " (a bare delurl)"},
         {"telemetry.metrics", "statsd", "app/__init__.py:" NOTIFY_2025 " (statsd_client)"},
         {"lifecycle.replay_created_rule", "unbounded",
          "app/dao/notifications_dao.py:" NOTIFY_2025 " (notifications_not_yet_sent)"},
         {"lifecycle.timeout_metric", "statsd",
          "app/celery/nightly_tasks.py:" NOTIFY_2025 " (statsd_client.incr)"},
         {"lifecycle.beat_timezone", "UTC", "app/config.py:2bb09279b (timezone UTC)"},
     }},
    {"notify-2021",
     "alphagov/notifications-api",
     NOTIFY_2021,
     "2021-12-29",
     "Notify of 2021: SES v1, every failed send moves priorities, a cached provider choice.",
     kNotifyFamilies,
     {
         {"email.client", "ses", "app/clients/email/aws_ses.py:" NOTIFY_2021},
         {"email.ses_api", "v1",
          "app/clients/email/aws_ses.py:" NOTIFY_2021 " (boto3.client('ses'))"},
         {"email.ses_retry_mode", "legacy",
          "app/clients/email/aws_ses.py:" NOTIFY_2021 " (no retry Config)"},
         {"email.ses_v2_bad_request", "as-notify",
          "not used: the v1 client has no BadRequestException"},
         {"sms.urls", "api", "app/config.py:" NOTIFY_2021 " (FIRETEXT_URL, MMG_URL)"},
         {"sms.http_timeout_s", "60",
          "app/clients/sms/firetext.py, mmg.py:" NOTIFY_2021 " (timeout=60)"},
         {"sms.error_threshold", "none",
          "app/delivery/send_to_providers.py:" NOTIFY_2021
          " (dao_reduce_sms_provider_priority on every exception)"},
         {"sms.error_window_s", "60", "not used without a threshold"},
         {"sms.redis", "on", "not used without a threshold"},
         {"sms.provider_choice", "cached-choice",
          "app/delivery/send_to_providers.py:" NOTIFY_2021 " (TTLCache on provider_to_use)"},
         {"sms.provider_cache_s", "10",
          "app/delivery/send_to_providers.py:55afc9a40 (TTLCache(maxsize=8, ttl=10))"},
         {"sms.rebalance_quiet_s", "3600",
          "app/dao/provider_details_dao.py:" NOTIFY_2021 " (timedelta(hours=1))"},
         {"sms.priority_reasons", "off",
          "app/dao/provider_details_dao.py:" NOTIFY_2021 " (no reason)"},
         {"sms.firetext_receipt_credentials", "off",
          "app/clients/sms/firetext.py:" NOTIFY_2021 " (a bare receipt URL)"},
         {"sms.mmg_receipt_credentials", "off",
          "app/clients/sms/mmg.py:" NOTIFY_2021 " (a bare delurl)"},
         {"telemetry.metrics", "statsd", "app/__init__.py:" NOTIFY_2021 " (statsd_client)"},
         {"lifecycle.replay_created_rule", "unbounded",
          "app/dao/notifications_dao.py:" NOTIFY_2021 " (notifications_not_yet_sent)"},
         {"lifecycle.timeout_metric", "statsd",
          "app/celery/nightly_tasks.py:" NOTIFY_2021 " (statsd_client.incr, since c8cf057eb)"},
         {"lifecycle.beat_timezone", "Europe/London",
          "app/config.py:" NOTIFY_2021 " (timezone Europe/London)"},
     }},
    {"notify-2023",
     "alphagov/notifications-api",
     NOTIFY_2025,
     "2023-12-12",
     "Notify's cell broadcast code as aff95d485 removed it: two Lambdas per operator, failover "
     "on FunctionError, retries for ever, the canary.",
     kBroadcastFamily,
     {
         {"broadcast.connection_errors", "propagate",
          "app/clients/cbc_proxy.py:" NOTIFY_2025
          " (except ClientError only; the parent of aff95d485, which removed broadcasts)"},
         {"broadcast.routing", "two-lambdas",
          "app/clients/cbc_proxy.py:" NOTIFY_2025 " (_invoke_lambda_with_failover)"},
         {"broadcast.error_payload", "logged",
          "app/clients/cbc_proxy.py:" NOTIFY_2025 " (result[\"Payload\"].read() in the log line)"},
         {"broadcast.returned_error", "off",
          "app/celery/broadcast_message_tasks.py:9648b1689^"
          " (only BROADCAST_PROVIDER_STATUS_ACK is set)"},
         {"broadcast.route_advisor", "off", "app/clients/cbc_proxy.py:" NOTIFY_2025 " (no advisor)"},
         {"broadcast.link_test_every_s", "900",
          "app/config.py:99856d6af^ (trigger-link-tests, timedelta(minutes=15))"},
         {"broadcast.retries", "backoff",
          "app/celery/broadcast_message_tasks.py:9648b1689^"
          " (max_retries=None, countdown=min(2 ** retries, 240))"},
         {"broadcast.max_receive_count", "3", "not used with backoff retries"},
         {"broadcast.canary", "on",
          "app/config.py:6d410daae^ (send-canary-to-cbc-proxy, every 5 minutes until 2021-03-26)"},
         {"broadcast.ee_secondary", "present",
          "app/clients/cbc_proxy.py:" NOTIFY_2025 " (failover_lambda_name = \"ee-2-proxy\")"},
         {"broadcast.account", "none",
          "app/clients/cbc_proxy.py:" NOTIFY_2025 " (FunctionName=lambda_name)"},
         {"broadcast.region", "eu-west-2",
          "app/clients/cbc_proxy.py:" NOTIFY_2025 " (region_name=\"eu-west-2\")"},
     }},
    {"emergency-alerts-2026-08",
     "alphagov/emergency-alerts-api",
     EAS_TODAY,
     "2026-08-18",
     "Today's GOV.UK Emergency Alerts, where Notify's broadcast code lives on.",
     kBroadcastFamily,
     {
         {"broadcast.connection_errors", "failover",
          "app/clients/cbc_proxy.py:" EAS_TODAY " (except Exception, since 7f6fd9184)"},
         {"broadcast.routing", "four-routes",
          "app/clients/cbc_proxy.py:" EAS_TODAY
          " (_invoke_lambdas_with_routing, since 031953fbf and 223c4a639)"},
         {"broadcast.error_payload", "json-decode-error",
          "app/clients/cbc_proxy.py:" EAS_TODAY
          " (_convert_lambda_payload_to_json outside the try)"},
         {"broadcast.returned_error", "on",
          "app/tasks/broadcast_message_tasks.py:" EAS_TODAY
          " (add_broadcast_provider_message_status(..., BROADCAST_PROVIDER_STATUS_ERR))"},
         {"broadcast.route_advisor", "on",
          "app/clients/cbc_proxy.py, app/dao/route_advisor_dao.py:" EAS_TODAY
          " (_update_route_advisor, since 031953fbf)"},
         {"broadcast.link_test_every_s", "180",
          "app/tasks/scheduled_tasks.py:" EAS_TODAY " (trigger_link_tests, cron(\"*/3 * * * *\"))"},
         {"broadcast.canary", "off", "app/config.py:" EAS_TODAY " (no canary since 6d410daae)"},
         {"broadcast.retries", "queue",
          "app/tasks/broadcast_message_tasks.py:" EAS_TODAY
          " (Dramatiq on SQS since 63a06ba29; emergency-alerts-utils dramatiq/ nack visibility 10 s, "
          "DlqWatcher)"},
         {"broadcast.max_receive_count", "3",
          "emergency-alerts-localenv localstack.sh (maxReceiveCount=3; production's is not public)"},
         {"broadcast.ee_secondary", "present",
          "app/clients/cbc_proxy.py:" EAS_TODAY
          " (secondary_lambda None only when ENVIRONMENT is staging, b09b89368)"},
         {"broadcast.account", "none",
          "app/clients/cbc_proxy.py:" EAS_TODAY
          " (_arn_prefix set from CBC_ACCOUNT_NUMBER when configured, da73f3624; a deployment's "
          "account is its own)"},
         {"broadcast.region", "eu-west-2",
          "app/clients/cbc_proxy.py:" EAS_TODAY
          " (os.environ.get(\"AWS_REGION\", \"eu-west-2\"), 4d0428a04)"},
     }},
};

// An explicit option that cannot take effect under the profile's other values: `option` set to
// `value` while `other` is `other_value`.
struct Contradiction {
  const char* option;
  const char* value;
  const char* other;
  const char* other_value;
  const char* why;
};

const std::vector<Contradiction> kContradictions = {
    {"sms_redis", "off", "sms_error_threshold", "none",
     "Redis is consulted only for an error threshold, and this one lowers a priority on every "
     "error; set core.sms_error_threshold too"},
    {"cbc_ee_secondary", "absent", "cbc_routing", "two-lambdas",
     "only Emergency Alerts' four routes leave EE's secondary Lambda out (b09b89368); set "
     "core.cbc_routing to four-routes too"},
    {"ses_v2_bad_request", "fixed", "ses_api", "v1",
     "the BadRequestException quirk exists only in the SES v2 client; set core.ses_api to v2 too"},
};

}  // namespace

const Value* Profile::find(const std::string& setting) const {
  for (const auto& v : values)
    if (v.setting == setting) return &v;
  return nullptr;
}

const std::vector<Setting>& settings() { return kSettings; }

const std::vector<Profile>& all() { return kProfiles; }

const Setting* find_setting(const std::string& name) {
  for (const auto& s : kSettings)
    if (s.name == name) return &s;
  return nullptr;
}

std::string family_of(const std::string& setting) {
  return setting.substr(0, setting.find('.'));
}

const std::vector<std::string>& families() { return kFamilies; }

namespace {

bool covers(const Profile& p, const std::string& family) {
  return std::find(p.families.begin(), p.families.end(), family) != p.families.end();
}

std::string default_for(const std::string& family) {
  return family == "broadcast" ? kDefaultBroadcastProfile : kDefaultProfile;
}

const Profile* lookup(const std::string& name) {
  for (const auto& p : kProfiles)
    if (p.name == name) return &p;
  return nullptr;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// "a,b" or "a+b" -> {"a", "b"}, each trimmed of spaces.
std::vector<std::string> split_spec(const std::string& spec) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(' ');
    auto e = cur.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : spec) {
    if (c == ',' || c == '+') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

}  // namespace

std::string known() {
  // One group per family set, in table order: "a (default), b for email, sms; c (default) for
  // broadcast".
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> groups;
  for (const auto& p : kProfiles) {
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&p](const auto& x) { return x.first == p.families; });
    if (g == groups.end()) {
      groups.push_back({p.families, {}});
      g = groups.end() - 1;
    }
    const bool dflt = p.name == kDefaultProfile || p.name == kDefaultBroadcastProfile;
    // The default first, as users read it.
    if (dflt) {
      g->second.insert(g->second.begin(), p.name + " (default)");
    } else {
      g->second.push_back(p.name);
    }
  }
  std::vector<std::string> parts;
  for (const auto& g : groups) parts.push_back(join(g.second, ", ") + " for " + join(g.first, ", "));
  return join(parts, "; ");
}

Profile resolve(const std::vector<Choice>& choices) {
  std::map<std::string, const Profile*> chosen;  // family -> profile
  for (const auto& c : choices) {
    if (!c.spec || c.spec->empty()) continue;
    std::map<std::string, const Profile*> mine;
    for (const auto& name : split_spec(*c.spec)) {
      const Profile* p = lookup(name);
      if (p == nullptr)
        throw ProfileError(c.what + " \"" + (name.empty() ? *c.spec : name) +
                           "\": unknown profile; the profiles are " + known());
      for (const auto& f : p->families) {
        auto [it, fresh] = mine.emplace(f, p);
        if (!fresh && it->second != p)
          throw ProfileError(c.what + " \"" + *c.spec + "\": " + it->second->name + " and " +
                             p->name + " both cover " + join(p->families, ", ") +
                             "; name one profile per family");
      }
    }
    for (const auto& [family, p] : mine) chosen.emplace(family, p);
  }
  for (const auto& f : kFamilies)
    if (!chosen.contains(f)) chosen[f] = lookup(default_for(f));
  Profile out;
  std::vector<std::string> names;
  for (const auto& p : kProfiles) {
    bool used = false;
    for (const auto& kv : chosen) used = used || kv.second == &p;
    if (!used) continue;
    names.push_back(p.name);
    if (out.repository.empty()) {
      out.repository = p.repository;
      out.commit = p.commit;
      out.date = p.date;
    }
    out.summary += (out.summary.empty() ? "" : " ") + p.summary;
    out.families.insert(out.families.end(), p.families.begin(), p.families.end());
    out.values.insert(out.values.end(), p.values.begin(), p.values.end());
  }
  out.name = join(names, "+");
  return out;
}

Profile find(const std::string& spec, const std::string& what) {
  return resolve({Choice{spec, what}});
}

std::map<std::string, std::string> core_options(
    const Profile& profile, const std::map<std::string, std::string>& explicit_options) {
  std::map<std::string, std::string> out;
  for (const auto& v : profile.values) {
    const Setting* s = find_setting(v.setting);
    if (s != nullptr) out[s->core_option] = v.value;
  }
  for (const auto& [key, value] : explicit_options) out[key] = value;
  for (const auto& c : kContradictions) {
    auto set = explicit_options.find(c.option);
    auto other = out.find(c.other);
    if (set == explicit_options.end() || set->second != c.value || other == out.end() ||
        other->second != c.other_value)
      continue;
    throw ProfileError(std::string("core.") + c.option + " \"" + c.value + "\" cannot run with " +
                       c.other + " \"" + c.other_value + "\" (profile " + profile.name +
                       "): " + c.why + "; the profiles are " + known());
  }
  return out;
}

}  // namespace notify::profiles
