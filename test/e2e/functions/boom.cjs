// Plain CommonJS handler (no lambda-observe) that fails.
class BoomError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BoomError';
  }
}

exports.handler = async (event) => {
  throw new BoomError(`kaboom: ${event.reason ?? 'no reason'}`);
};
