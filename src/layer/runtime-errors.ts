/**
 * The init errors the Node.js Lambda runtime reports when it cannot load a handler. The layer's
 * handler resolver throws the same ones, so a function wrapped with no code change fails its init
 * exactly as it would without the layer: same `errorType` in the init error, same message shape.
 *
 * The runtime posts `error.name` as the error type, so the name carries Lambda's type.
 */

/** `Runtime.ImportModuleError`: the handler's module file does not exist. */
export class ImportModuleError extends Error {
  constructor(cause: unknown) {
    // The runtime's message is the original error as a string: "Error: Cannot find module 'x' …".
    super(String(cause));
    this.name = 'Runtime.ImportModuleError';
  }
}

/** `Runtime.HandlerNotFound`: the module loaded, but the export is missing or not a function. */
export class HandlerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.HandlerNotFound';
  }
}

/** `Runtime.MalformedHandlerName`: the handler setting is not `path/module.export`. */
export class MalformedHandlerNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.MalformedHandlerName';
  }
}

/** `Runtime.UserCodeSyntaxError`: the handler's module does not parse. */
export class UserCodeSyntaxError extends Error {
  constructor(cause: Error) {
    super(String(cause));
    this.name = 'Runtime.UserCodeSyntaxError';
    // The stack of the syntax error points at the user's file; ours would point at the resolver.
    this.stack = cause.stack;
  }
}
