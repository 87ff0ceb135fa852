# Thin entry points: each target calls one script. See README.md.
VENV ?= .venv
export VENV
# The controller's interpreter (default: the newest suitable python3.X on PATH;
# see scripts/venv). Example: make venv PYTHON=python3.12
PYTHON ?=
export PYTHON

.PHONY: lab lab-destroy test lint venv venv-test image

# What running the playbooks needs (a chapter's controller).
venv: $(VENV)/.installed-deploy

# That plus the test and lint tools (make lab/lint/test use it).
venv-test: $(VENV)/.installed-test

$(VENV)/.installed-deploy: requirements.txt scripts/venv
	scripts/venv deploy

$(VENV)/.installed-test: requirements.txt requirements-test.txt scripts/venv
	scripts/venv test
	touch $(VENV)/.installed-deploy

lab: venv-test
	scripts/lab/up

lab-destroy:
	scripts/lab/down

image:
	scripts/lab/ensure-docker
	scripts/lab/build-image

lint: venv-test
	scripts/test/lint

test: venv-test
	scripts/test/run
