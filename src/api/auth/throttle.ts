// Login throttling: after auth.loginAttempts failures for one user name, or
// from one client address, within auth.loginWindowMinutes, sign-in answers
// 429 with Retry-After until the window passes. Counted in memory (one
// server); a success clears the user name's count.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export class LoginThrottle {
  private readonly byUser: RateLimiterMemory;
  private readonly byClient: RateLimiterMemory;

  constructor(attempts: number, windowMinutes: number) {
    const o = { points: attempts, duration: windowMinutes * 60 };
    this.byUser = new RateLimiterMemory({ ...o, keyPrefix: 'user' });
    // One address may try several names (a shared login node), but not endlessly.
    this.byClient = new RateLimiterMemory({ ...o, points: attempts * 4, keyPrefix: 'client' });
  }

  /** Seconds to wait before another try is allowed, or 0. */
  async blockedFor(username: string, client: string): Promise<number> {
    const [u, c] = await Promise.all([this.byUser.get(username.toLowerCase()), this.byClient.get(client)]);
    const wait = (r: RateLimiterRes | null, max: number) => (r && r.consumedPoints >= max ? Math.ceil(r.msBeforeNext / 1000) : 0);
    return Math.max(wait(u, this.byUser.points), wait(c, this.byClient.points));
  }

  async failed(username: string, client: string): Promise<void> {
    await Promise.all([
      this.byUser.penalty(username.toLowerCase(), 1),
      this.byClient.penalty(client, 1),
    ]);
  }

  async succeeded(username: string): Promise<void> {
    await this.byUser.delete(username.toLowerCase());
  }
}
