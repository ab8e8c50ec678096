// Stand-in for one behaviour of Lambda's own Node.js runtime that the open-source runtime client
// (aws-lambda-ric) does not have: since nodejs18.x, Lambda resolves bare ES module imports from
// the folders in NODE_PATH too (Node itself only does that for require()), so an .mjs handler can
// `import '@opentelemetry/api'` or `import 'lambda-observe'` from a layer's nodejs/node_modules.
// The e2e tests start the runtime with `node --import <this file>`; the layer does not need it.
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const folders = (process.env.NODE_PATH ?? '').split(':').filter(Boolean);
const isBare = (specifier) => !/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier);

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
      for (const folder of folders) {
        try {
          // Resolving as if imported from a file inside the folder finds <folder>/<package> first.
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(folder, 'node-path.js')).href });
        } catch {
          // Not in this folder.
        }
      }
      throw error;
    }
  },
});
