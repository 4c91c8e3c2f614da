"""Production settings come from the environment, safe by default outside DEBUG (README, "Production settings").

Each check runs the settings in a fresh process with exactly the environment given, as a server would get it.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The README's production environment, nothing more (DEBUG unset).
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "hotel.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://hotel.example.com",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "NUM_PROXIES": "1",
}


def _run(*args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ["PATH"], **env})


def _settings(env, *names):
    code = ("import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'hotelbooking.settings'; "
            "django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))")
    result = _run("-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_with_the_documented_production_environment():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_outside_debug_the_defaults_are_the_production_ones():
    values = _settings({"SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                       "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
                       "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "CONTENT_SECURITY_POLICY",
                       "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    # No proxy is trusted unless one is named: a client could otherwise claim https itself.
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert values["CONTENT_SECURITY_POLICY_REPORT_ONLY"] is None


def test_with_debug_the_site_serves_plain_http_and_the_policy_only_reports():
    values = _settings({"DEBUG": "1"}, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
                       "CSRF_COOKIE_SECURE", "CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["CONTENT_SECURITY_POLICY"] is None
    assert values["CONTENT_SECURITY_POLICY_REPORT_ONLY"]["DIRECTIVES"]["script-src"] == ["'self'"]


def test_each_setting_follows_its_environment_variable():
    values = _settings({**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "3600",
                        "SECURE_HSTS_PRELOAD": "0", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Ssl=on",
                        "CSP_REPORT_ONLY": "1", "CSP_SCRIPT_SRC": "https://static.example.com",
                        "CSP_REPORT_URI": "https://csp.example.com/report", "AXES_FAILURE_LIMIT": "8",
                        "AXES_COOLOFF_MINUTES": "15", "AXES_LOCKOUT_PARAMETERS": "ip_address,username+ip_address",
                        "PASSWORD_MIN_LENGTH": "14"},
                       "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
                       "CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "AXES_FAILURE_LIMIT",
                       "AXES_COOLOFF_TIME", "AXES_LOCKOUT_PARAMETERS", "AUTH_PASSWORD_VALIDATORS")
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SSL", "on"]
    assert values["CONTENT_SECURITY_POLICY"] is None
    directives = values["CONTENT_SECURITY_POLICY_REPORT_ONLY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'", "https://static.example.com"]
    assert directives["report-uri"] == "https://csp.example.com/report"
    assert values["AXES_FAILURE_LIMIT"] == 8 and values["AXES_COOLOFF_TIME"] == "0:15:00"
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["ip_address"], ["username", "ip_address"]]
    assert {"min_length": 14} in [v.get("OPTIONS") for v in values["AUTH_PASSWORD_VALIDATORS"]]


def test_behind_the_proxy_a_forwarded_https_request_gets_hsts_and_no_redirect(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/manage/", HTTP_HOST="testserver")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/manage/"
    forwarded = client.get("/manage/", HTTP_X_FORWARDED_PROTO="https")
    assert forwarded.status_code == 200
    assert forwarded["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
