"""Document bytes go to S3-compatible object storage when configured (issue 6, point 1)."""

import json
import os
import subprocess
import sys


def test_s3_setting_selects_a_private_object_storage_backend():
    env = {
        **os.environ,
        "MOTCUA_DOCUMENTS_STORAGE": "s3",
        "MOTCUA_S3_BUCKET": "motcua-ho-so",
        "MOTCUA_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    code = (
        "import json, motcua.config.settings.base as b; print(json.dumps(b.STORAGES['documents']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    storage = json.loads(out)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "motcua-ho-so"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["querystring_auth"] is True
