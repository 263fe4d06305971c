import botocore.exceptions


def send_welcome_email(ses, to):
    """Sends the welcome email. Returns ("sent", message_id), or ("retry-later", None)
    when SES throttles us, so the caller can queue the email again."""
    try:
        response = ses.send_email(
            Source="noreply@example.gov.uk",
            Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": "Welcome"},
                     "Body": {"Text": {"Data": "Hello and welcome."}}})
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "Throttling":
            return "retry-later", None
        raise
    return "sent", response["MessageId"]
