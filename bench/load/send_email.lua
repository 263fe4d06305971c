-- wrk script: SES v1 SendEmail over the Query protocol, as boto3 sends it (unsigned).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.body = "Action=SendEmail&Version=2010-12-01&Source=sender%40example.com" ..
           "&Destination.ToAddresses.member.1=to%40example.com&Message.Subject.Data=Hello" ..
           "&Message.Subject.Charset=UTF-8&Message.Body.Text.Data=Hi+there"
