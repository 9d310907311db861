"""An SMS backend for the real-worker tests: the de-duplicating file gateway (one line per SMS in the
file TONGBAN_TEST_SMS_LOG, a key handed over twice is sent once); it can hang on one mobile number so
that a test can kill the worker at a known point mid-batch, and fail the first N attempts per number
so that a test can watch the retries."""

import os
import time
from pathlib import Path

from hall.notice_backends import FileSmsGateway


class FileSms(FileSmsGateway):
    def __init__(self):
        super().__init__(os.environ["TONGBAN_TEST_SMS_LOG"])

    def send(self, *, mobile, text, idempotency_key=""):
        hang_on = os.environ.get("TONGBAN_TEST_SMS_HANG_ON")
        if hang_on and mobile == hang_on:
            Path(os.environ["TONGBAN_TEST_SMS_LOG"] + ".hanging").write_text(mobile)
            time.sleep(600)  # the test kills the worker during this sleep
        fail_first = int(os.environ.get("TONGBAN_TEST_SMS_FAIL_FIRST", "0"))
        if fail_first:
            attempts = Path(f"{os.environ['TONGBAN_TEST_SMS_LOG']}.attempts.{mobile}")
            count = int(attempts.read_text()) if attempts.exists() else 0
            attempts.write_text(str(count + 1))
            if count < fail_first:
                raise ConnectionError(f"短信网关暂时不可用（第{count + 1}次）")
        return super().send(mobile=mobile, text=text, idempotency_key=idempotency_key)
