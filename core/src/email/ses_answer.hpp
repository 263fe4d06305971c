// An SES answer as botocore hands it to Notify's client, before classification: a MessageId, a
// ClientError (code and message, parsed as botocore's parser for the API parses them), or
// another exception. One reader per API: ses_v1.cpp (Query/XML), ses_v2.cpp (REST-JSON).
#pragma once

#include "notify/transport/http.hpp"

#include <string>

namespace notify::email::detail {

struct SesAnswer {
  std::string message_id;     // set on success
  bool client_error = false;  // botocore would raise ClientError (the answer parsed as an error)
  int status = 0;
  std::string code;
  std::string message;
};

/// botocore 1.29's QueryParser on a SendEmail answer.
SesAnswer read_v1_answer(const transport::Response& response);
/// botocore 1.29's RestJSONParser on a sesv2 SendEmail answer.
SesAnswer read_v2_answer(const transport::Response& response);

}  // namespace notify::email::detail
