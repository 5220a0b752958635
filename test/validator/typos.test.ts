/**
 * The near-miss rule that tells a misspelt name from a new one (issue 12): the Damerau-Levenshtein
 * distance, case ignored, within one edit for names of up to 5 characters and two for longer ones.
 */
import { editDistance, nearMiss } from '../../lib/validator/private/names';

describe('the near-miss rule', () => {
  test('counts a swap of two neighbouring letters as one edit (Damerau-Levenshtein, optimal string alignment)', () => {
    expect(editDistance('TextBody', 'TetxBody')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment: no substring is edited twice
    expect(editDistance('navigate', 'navigate')).toBe(0);
  });

  test('allows one edit for names of up to 5 characters and two for longer ones', () => {
    expect(nearMiss('bld', [{ name: 'bold', tier: 0 }])?.name).toBe('bold');
    expect(nearMiss('bl', [{ name: 'bold', tier: 0 }])).toBeUndefined();
    expect(nearMiss('TxtBdy', [{ name: 'TextBody', tier: 0 }])?.distance).toBe(2);
  });

  test('prefers a name valid here, then the closer name, then the first in alphabetical order', () => {
    expect(nearMiss('labl', [{ name: 'label', tier: 2 }, { name: 'labels', tier: 0 }])?.name).toBe('labels');
    expect(nearMiss('helpertxt', [{ name: 'helper-text', tier: 0 }, { name: 'helpertext', tier: 0 }])?.name).toBe('helpertext');
    expect(nearMiss('abcde', [{ name: 'abcdf', tier: 0 }, { name: 'abcdd', tier: 0 }])?.name).toBe('abcdd');
  });
});
