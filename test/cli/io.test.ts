/** processIO() is what the CLI writes through: however many times it is made, stdout gets one watcher. */
import { processIO } from '../../src/cli/io.js';

describe('processIO', () => {
  it('adds one error listener to stdout however many times it is called (no MaxListeners warning in a long-lived process)', () => {
    const before = process.stdout.listenerCount('error');
    processIO();
    const once = process.stdout.listenerCount('error');
    for (let i = 0; i < 20; i++) processIO();
    expect(process.stdout.listenerCount('error')).toBe(once);
    expect(once - before).toBeLessThanOrEqual(1);
  });
});
