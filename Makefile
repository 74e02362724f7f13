# Shortcuts for contributors who have make; ./dev does the work (./dev help).
# Extra arguments: make test ARGS="tests/places -k kibera"
ARGS ?=

.PHONY: help demo test check pg-test browser messages ci

help demo test check pg-test browser messages ci:
	./dev $@ $(ARGS)
