#!/bin/bash
# lambda-observe's exec wrapper: set AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-observe-wrapper and the
# function's handler is wrapped with observe() with no code change.
#
# Lambda's bootstrap runs this script with the runtime's command line. It saves the function's
# handler setting in LAMBDA_OBSERVE_HANDLER, points _HANDLER at the layer's handler module (which
# loads the saved handler during init and wraps it), and execs the runtime: same process, nothing
# left running.
opt_dir="${0%/*}"
layer_handler="$opt_dir/nodejs/node_modules/lambda-observe/dist/layer/handler.handler"

# Already pointing at the layer (the handler setting names it and LAMBDA_OBSERVE_HANDLER is set by
# hand, or the wrapper runs twice): keep what is there.
if [ "$_HANDLER" != "$layer_handler" ]; then
  export LAMBDA_OBSERVE_HANDLER="$_HANDLER"
  export _HANDLER="$layer_handler"
fi

exec "$@"
