from ansible_collections.isp.provisioning.plugins.module_utils.secrets import MASK, Redactor


def test_known_secrets_and_secret_shapes_are_masked():
    redact = Redactor("s3cr3t-pass")
    text = redact(
        "GET https://erp/api.php?key=ABCDEF123&cat=customer failed for s3cr3t-pass with "
        "token eyJhbGciOiJIUzI1NiJ9.eyJkYXRhIjp7fX0.c2lnbmF0dXJl and api_token=XYZ789"
    )
    assert "s3cr3t-pass" not in text
    assert "ABCDEF123" not in text
    assert "eyJhbGci" not in text
    assert "XYZ789" not in text
    assert "key=%s&cat=customer" % MASK in text


def test_secrets_learnt_later_are_masked_too():
    redact = Redactor()
    redact.add("runtime-token")
    assert redact("x runtime-token y") == "x %s y" % MASK


def test_short_values_are_not_treated_as_secrets():
    # a one- or two-character "secret" would mask ordinary text everywhere
    assert Redactor("ab")("about") == "about"
