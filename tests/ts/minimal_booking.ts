// A partner's TypeScript against the types openapi-typescript generates from the served schema (written beside
// this file as hotelbooking-api.ts by tests/test_generated_clients.py; `tsc --noEmit --strict` must pass).
import type { operations } from "./hotelbooking-api";

type BookingRequest = operations["booking_create"]["requestBody"]["content"]["application/json"];
type Booking = operations["booking_create"]["responses"][201]["content"]["application/json"];
type ErrorBody = operations["booking_create"]["responses"][409]["content"]["application/json"];

// Only the required fields: everything with a default (adults, children, room_count, channel, ...) is left out.
export const minimal: BookingRequest = {
  hotel: "NYC",
  room_type: "DELUXE-KING",
  check_in: "2027-05-14",
  check_out: "2027-05-17",
  guest: { first_name: "John", last_name: "Smith", email: "john.smith@example.com" },
  payment: { payment_method: "pm_card_visa" },
};

// The types have teeth: a booking without its guest does not compile.
// @ts-expect-error guest is required
export const noGuest: BookingRequest = { hotel: "NYC", check_in: "2027-05-14", check_out: "2027-05-17", payment: {} };

type Status = Booking["status"];
export const confirmed: Status = "CONFIRMED";
// @ts-expect-error a status the API never sends
export const unheardOf: Status = "MAYBE";

// Reading the answer: the price as nightly rates, discounts and totals, in the booking's currency.
export function receipt(booking: Booking): string {
  const p = booking.pricing;
  const nights = p.nightly_rates.map((n) => `${n.date}: ${n.rate}`).join(", ");
  const discounts = p.discounts.map((d) => `${d.name} ${d.amount}`).join(", ");
  const plan = `${booking.rate_plan.code} (${booking.rate_plan.name})`;
  return `${booking.confirmation_number} ${booking.status} on ${plan}: ${nights}; ${discounts}; ` +
    `room ${p.room_total} + taxes ${p.taxes} + fees ${p.fees} = ${p.grand_total} ${p.currency}` +
    (booking.special_requests ? `; asked: ${booking.special_requests}` : "");
}

export function whyRefused(body: ErrorBody): string {
  return `${body.error.code}: ${body.error.message}`;
}
