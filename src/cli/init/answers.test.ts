import { describe, expect, it } from 'vitest';
import { kebab, parseCompliance, plural, recommendedAnswers, toEntityName, validate } from './answers.ts';

describe('init answers', () => {
  it('turns what people type into a PascalCase entity name', () => {
    expect(toEntityName('order item')).toBe('OrderItem');
    expect(toEntityName('order-item')).toBe('OrderItem');
    expect(toEntityName('orderItem')).toBe('OrderItem');
    expect(toEntityName('  Shop2 ')).toBe('Shop2');
  });

  it('rejects entity names that cannot be entities, and User', () => {
    expect(validate.entity('2fa code')).toMatch(/starts with a letter/);
    expect(validate.entity('')).toMatch(/starts with a letter/);
    expect(validate.entity('user')).toMatch(/User is generated/);
    expect(validate.entity('recipe card')).toBeUndefined();
  });

  it('derives kebab-case names and English plurals', () => {
    expect(kebab('OrderItem')).toBe('order-item');
    expect(kebab('HTTPRequest')).toBe('http-request');
    expect(['item', 'address', 'category', 'day', 'box'].map(plural)).toEqual(['items', 'addresses', 'categories', 'days', 'boxes']);
  });

  it('accepts standards in any case and "none", and names unknown ones', () => {
    expect(parseCompliance('gdpr, pci-dss,SOC2 gdpr')).toEqual(['GDPR', 'PCI-DSS', 'SOC2']);
    expect(parseCompliance('none')).toEqual([]);
    expect(validate.compliance('GDPR, FOO')).toMatch(/unknown standard FOO/);
  });

  it('checks units the way the spec does', () => {
    expect(validate.availability('99.9%')).toBeUndefined();
    expect(validate.availability('100%')).toMatch(/below 100%/);
    expect(validate.availability('99.9')).toMatch(/percent sign/);
    expect(validate.growth('10%/month')).toBeUndefined();
    expect(validate.growth('10%')).toMatch(/per period/);
    expect(validate.users('0')).toMatch(/whole number/);
  });

  it('recommends a system name from the directory and a purpose from the entity', () => {
    const a = recommendedAnswers('/tmp/recipe-box', 'RecipeCard');
    expect(a.name).toBe('Recipe Box');
    expect(a.purpose).toBe('let people create, find and manage their recipe cards');
    expect(a.style).toBe('modular-monolith');
  });
});
