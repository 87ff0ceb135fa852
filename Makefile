# Thin entry points: each target calls one script. See README.md.
VENV ?= .venv
export VENV

.PHONY: lab lab-destroy test lint venv image

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

lab: venv
	scripts/lab/up

lab-destroy:
	scripts/lab/down

image:
	scripts/lab/ensure-docker
	scripts/lab/build-image

lint: venv
	scripts/test/lint

test: venv
	scripts/test/run
