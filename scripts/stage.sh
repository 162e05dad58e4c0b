# stage NAME COMMAND...: runs COMMAND and prints how long it took (sourced by build.sh and test.sh).
stage() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "nfx: stage '$name' took $((SECONDS - start)) s" >&2
}
