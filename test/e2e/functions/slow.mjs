// Plain handler that outlives a short timeout.
export const handler = async (event) => {
  console.log('slow handler started');
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs ?? 5000));
  return { slept: event.sleepMs ?? 5000 };
};
