-- wrk script: an MMG send as Notify's MMGClient posts it (JSON body, Basic auth).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic bm90aWZ5LXNpbTptbWc="
wrk.body = '{"reqType": "BULK", "MSISDN": "447700900123", "msg": "Your code is 123456", ' ..
           '"sender": "GOVUK", "cid": "8cb4d946-9e12-49ae-bd84-da6493b85dca", "multi": true}'
