"""A Celery app with Notify's `process-ses-result` task signature, for sqs_celery_test.py: each
call appends its arguments as one JSON line to $SES_RESULTS_FILE.

Broker: $CELERY_BROKER_URL (sqs://KEY:SECRET@host:port), plain HTTP, queue ses-callbacks.
"""

import json
import os

from celery import Celery

app = Celery("ses_receiver")
app.conf.update(
    broker_url=os.environ["CELERY_BROKER_URL"],
    broker_transport_options={
        "region": "eu-west-2",
        "is_secure": False,
        "visibility_timeout": 310,
        "wait_time_seconds": 1,
        "polling_interval": 0.1,
    },
    task_default_queue="ses-callbacks",
    worker_hijack_root_logger=False,
    worker_enable_remote_control=False,
)


@app.task(name="process-ses-result", bind=True)
def process_ses_results(self, response, receipt_iso_timestamp=None):
    with open(os.environ["SES_RESULTS_FILE"], "a") as f:
        f.write(json.dumps({"message": json.loads(response["Message"]),
                            "receipt_iso_timestamp": receipt_iso_timestamp,
                            "task_id": self.request.id}) + "\n")
