// Plain handler whose process dies mid-invocation (an exception thrown outside the handler's promise).
export const handler = async (event) => {
  if (event.exitCode !== undefined) process.exit(event.exitCode);
  setTimeout(() => {
    throw new Error('uncaught after the handler started');
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return 'unreachable';
};
