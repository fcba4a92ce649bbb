"""Upload → column mapping with suggestions → validation (dry run) → commit."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from uncounted.store.core.models import ImportBatch, Record, Source

pytestmark = pytest.mark.django_db

CSV = (
    "الرقم,الاسم الكامل,تاريخ الوفاة,المحافظة,ملاحظة داخلية\n"
    "1,محمد أحمد الخطيب,12/03/2014,حلب,x\n"
    "2,Ahmad Ali Hassan,2013-05,Homs,y\n"
    "3,خالد عمر,not a date,إدلب,z\n"
).encode("cp1256")


def upload(client, content: bytes = CSV, name: str = "list.csv"):
    response = client.post("/imports/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_upload_map_validate_commit(clients):
    client = clients["data_entry"]
    url = upload(client)
    page = client.get(url).content.decode()
    assert "cp1256" in page or "windows-1256" in page.lower()
    # Arabic headers are recognised: suggestions preselected
    assert re.search(r'<option value="record_id" selected>', page)
    assert re.search(r'<option value="full_name" selected>', page)
    assert "محمد أحمد الخطيب" in page  # preview of the first rows
    form = {
        "col_0": "record_id",
        "col_1": "full_name",
        "col_2": "death_date",
        "col_3": "governorate",
        "col_4": "",
    }
    page = client.post(
        url, {**form, "new_source": "Families list", "action": "validate"}
    ).content.decode()
    assert 'id="report"' in page and 'id="commit"' in page
    assert "not a date" in page or "death_date" in page  # the unparseable value is reported
    assert not Record.objects.exists() and not Source.objects.exists()  # a dry run writes nothing
    response = client.post(
        url, {**form, "source": "", "new_source": "Families list", "action": "commit"}
    )
    assert response.status_code == 302 and response["Location"] == "/imports/"
    assert Record.objects.filter(source__name="Families list").count() == 3
    batch = ImportBatch.objects.get()
    assert batch.imported_by == "u_data_entry" and batch.mapping
    listing = client.get("/imports/").content.decode()
    assert "Families list" in listing and "list.csv" in listing
    # the upload is gone once committed
    assert client.get(url).status_code == 404


def test_same_file_twice_is_refused_with_a_clear_message(clients):
    client = clients["admin"]
    form = {"col_0": "record_id", "col_1": "full_name", "new_source": "L", "action": "commit"}
    client.post(upload(client), form)
    url = upload(client)
    response = client.post(url, form)
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert Record.objects.count() == 3


def test_bad_files_and_foreign_tokens(clients):
    client = clients["data_entry"]
    response = client.post("/imports/", {"file": SimpleUploadedFile("x.exe", b"MZ\x00")})
    assert response.status_code == 302
    assert "csv" in client.get("/imports/").content.decode().lower()
    url = upload(client, b"", "empty.csv")
    response = client.get(url)
    assert response.status_code == 302  # an empty file: error message, back to the list
    assert "empty" in client.get("/imports/").content.decode()
    # another user's upload cannot be reached
    url = upload(client)
    assert clients["admin"].get(url).status_code == 404


def test_abandoned_uploads_are_swept(clients):
    import os

    from uncounted.app import uploads

    client = clients["data_entry"]
    url = upload(client)
    token = url.rstrip("/").rsplit("/", 1)[1]
    old = uploads.ROOT / token
    os.utime(old, (0, 0))
    upload(client)  # the next upload sweeps
    assert not old.exists()
    assert client.get(url).status_code == 404
