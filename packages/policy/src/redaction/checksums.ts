/** Luhn (mod 10) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * A payment card number: 13–19 digits, Luhn-valid, starting like a card network's
 * numbers (3 Amex/Diners/JCB, 4 Visa, 5 Mastercard/Maestro, 6 Discover/UnionPay/Maestro,
 * 2221–2720 Mastercard). The prefix check keeps most Luhn-valid ids and timestamps out
 * (one random number in ten passes Luhn).
 */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  const first = digits[0];
  const prefix4 = Number(digits.slice(0, 4));
  const networkPrefix = first === '3' || first === '4' || first === '5' || first === '6' || (prefix4 >= 2221 && prefix4 <= 2720);
  return networkPrefix && luhnValid(digits);
}

/** ISO 13616: country letters, two check digits, up to 30 letters or digits; mod 97 of the rearranged number is 1. */
export function isIban(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    // Letters count as two digits: A = 10 … Z = 35.
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
