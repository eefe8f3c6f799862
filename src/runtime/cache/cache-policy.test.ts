import { describe, expect, it } from 'vitest';
import { exampleModel } from '../test-support/example-models.ts';
import { cachePolicy, endpointTtl } from './cache-policy.ts';
import { recordTtl } from './caching-storage.ts';
import { deleteReach } from './invalidation.ts';

const linkly = await exampleModel('linkly');
const payments = await exampleModel('payments');

describe('cachePolicy', () => {
  it('caches records of the entities scalability.cache names, with their TTL', () => {
    const policy = cachePolicy(payments);
    expect([policy.entityTtl('Product'), policy.entityTtl('Settlement'), policy.entityTtl('Order')]).toEqual([300_000, 600_000, undefined]);
  });

  it('caches the answers of GET endpoints with a TTL from cache: or scalability.cache', () => {
    const policy = cachePolicy(payments);
    expect(policy.responseTtl('GET /products')).toBe(60_000);
    expect(policy.responseTtl('GET /products/{id}')).toBe(60_000);
    expect(policy.responseTtl('GET /orders')).toBeUndefined();
    expect(policy.longestTtlMs).toBe(600_000);
  });

  it('applies the TTL of a GET endpoint that emits events to its handler\'s record reads, never to its answer', () => {
    const policy = cachePolicy(linkly);
    expect(policy.responseTtl('GET /r/{code}')).toBeUndefined();
    expect(policy.handlerReadTtl('GET /r/{code}')).toBe(60_000);
    expect(policy.handlerReadTtl('GET /links')).toBeUndefined();
  });

  it('takes the shorter TTL when an endpoint has two', () => {
    const visit = linkly.api.endpoints.find((e) => e.key === 'GET /r/{code}')!;
    expect(endpointTtl(linkly, { ...visit, cacheMs: 5_000 })).toBe(5_000);
    expect(endpointTtl(linkly, { ...visit, cacheMs: undefined })).toBe(60_000);
  });

  it('reads a record with the entity TTL, or while serving an emits endpoint with the shorter of both', () => {
    const policy = cachePolicy(linkly);
    expect(recordTtl(policy, 'Link', undefined)).toBe(60_000);
    expect(recordTtl(policy, 'User', undefined)).toBeUndefined();
    expect(recordTtl(policy, 'User', 'GET /r/{code}')).toBe(60_000);
    expect(recordTtl(policy, 'User', 'GET /links')).toBeUndefined();
  });

  it('on a remote cache (Redis) keeps decrypted fields out: no records of encrypted entities, no answers that may show them', () => {
    const local = cachePolicy(linkly);
    const remote = cachePolicy(linkly, { remote: true });
    // Linkly encrypts User.email and User.name: the redirect's read of the User is cached in process only.
    expect(recordTtl(local, 'User', 'GET /r/{code}')).toBe(60_000);
    expect(recordTtl(remote, 'User', 'GET /r/{code}')).toBeUndefined();
    expect(recordTtl(remote, 'Link', 'GET /r/{code}')).toBe(60_000);
    // Payments encrypts User, Order and Payment fields; products reference none of them.
    expect(cachePolicy(payments, { remote: true }).responseTtl('GET /products')).toBe(60_000);
    const withUsers = { ...linkly, api: { ...linkly.api, endpoints: linkly.api.endpoints.map((e) => (e.key === 'GET /links' ? { ...e, cacheMs: 30_000 } : e)) } };
    expect(cachePolicy(withUsers).responseTtl('GET /links')).toBe(30_000);
    expect(cachePolicy(withUsers, { remote: true }).responseTtl('GET /links')).toBeUndefined(); // Link.owner expands to a User
  });

  it('caches nothing by TTL for a spec without cache entries', () => {
    const none = { ...linkly, scalability: { ...linkly.scalability, cache: [] }, api: { ...linkly.api, endpoints: linkly.api.endpoints.map((e) => ({ ...e, cacheMs: undefined })) } };
    expect(cachePolicy(none).cachesAnything).toBe(false);
  });
});

describe('deleteReach', () => {
  const reach = (name: string) => [...deleteReach(linkly, linkly.entities.find((e) => e.name === name)!)].sort();

  it('follows references and cascades: deleting a user deletes their links and those links\' visits', () => {
    expect(reach('User')).toEqual(['Link', 'Visit']);
    expect(reach('Link')).toEqual(['Visit']);
    expect(reach('Visit')).toEqual([]);
  });
});
