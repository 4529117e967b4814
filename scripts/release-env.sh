# Sourced, not run: the environment that fixes a release build's bytes, so a
# developer's shell settings can't make their build differ from CI's. build.sh
# builds under it; scripts/test vets and warms the build cache under it and the
# console's end-to-end test builds under it, so all of them share one compile.
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
export GOAMD64=v1 GO386=sse2 GOARM64=v8.0
unset GOEXPERIMENT
