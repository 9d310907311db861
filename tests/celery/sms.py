"""An SMS backend for the real-worker tests: appends each message to a file (one line per SMS), and
can hang on one mobile number so that a test can kill the worker at a known point mid-batch."""

import os
import time
from pathlib import Path


class FileSms:
    def send(self, *, mobile, text):
        hang_on = os.environ.get("TONGBAN_TEST_SMS_HANG_ON")
        if hang_on and mobile == hang_on:
            Path(os.environ["TONGBAN_TEST_SMS_LOG"] + ".hanging").write_text(mobile)
            time.sleep(600)  # the test kills the worker during this sleep
        with open(os.environ["TONGBAN_TEST_SMS_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{mobile}\t{text}\n")
            log.flush()
            os.fsync(log.fileno())
