"""Verify the whole site converged into the lab container (testinfra)."""

import pytest


def test_base_packages_installed(host):
    for name in ("ca-certificates", "gnupg", "curl", "locales", "tzdata"):
        assert host.package(name).is_installed, name


def test_locale_generated_and_default(host):
    locales = host.run("locale -a").stdout.lower()
    assert "en_us.utf8" in locales
    assert host.file("/etc/default/locale").contains("^LANG=en_US.UTF-8$")


def test_timezone(host):
    assert host.file("/etc/localtime").linked_to.endswith("/Etc/UTC")


@pytest.mark.parametrize("unit", ["dbus.service"])
def test_systemd_is_pid_one(host, unit):
    assert host.run("cat /proc/1/comm").stdout.strip() == "systemd"
    assert host.service(unit).is_running
