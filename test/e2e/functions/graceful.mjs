// Plain handler with a SIGTERM handler, the graceful-shutdown hook Lambda offers when an
// extension is registered. GRACEFUL_EXIT picks how it ends the process afterwards:
//   'exit'    process.exit(0), what AWS's graceful-shutdown sample does;
//   'reraise' drop the handler and re-raise SIGTERM, so the default action ends the process.
process.on('SIGTERM', () => {
  console.log('graceful: SIGTERM received');
  if (process.env.GRACEFUL_EXIT === 'exit') {
    process.exit(0);
  } else {
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, 'SIGTERM');
  }
});

export const handler = async () => ({ ok: true });
