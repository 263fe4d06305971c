-- wrk script: a Firetext send as Notify's FiretextClient posts it (form body, JSON answer).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "apiKey=notify-sim-firetext-key&from=GOVUK&to=447700900123" ..
           "&message=Your+code+is+123456&reference=8cb4d946-9e12-49ae-bd84-da6493b85dca"
