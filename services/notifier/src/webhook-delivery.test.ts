import { describe, expect, it } from 'vitest';
import { daprBindingBody } from './webhook-delivery.ts';

describe('daprBindingBody', () => {
  it("gives the bytes Go's encoding/json writes for the same value (what daprd posts to the webhook)", () => {
    const value = {
      b: 1,
      a: '<x&y>',
      c: { z: [1, { y: 2.5, x: '\u2028 é 😀' }] },
      t: 'tab\tnl\n',
      d: new Date(0),
    };
    // Printed by json.Marshal of the same document decoded into `any` (Go 1.26), Date as its ISO string.
    expect(daprBindingBody(value)).toBe(
      '{"a":"\\u003cx\\u0026y\\u003e","b":1,"c":{"z":[1,{"x":"\\u2028 é 😀","y":2.5}]},"d":"1970-01-01T00:00:00.000Z","t":"tab\\tnl\\n"}',
    );
  });

  it('changes nothing that is already in that form', () => {
    const once = daprBindingBody({ z: 1, a: { c: '&', b: null } });
    expect(daprBindingBody(JSON.parse(once))).toBe(once);
  });
});
