// Type-checked (tsc --strict) against the types openapi-typescript generates from /api/v1/schema/:
// a resident app's plan → book → bookings flow. A breaking schema change makes this fail to compile.
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type PlanRequest = Schemas["PlanRequest"];
type PlanAnswer = paths["/api/v1/plans"]["post"]["responses"][200]["content"]["application/json"];
type Booking = paths["/api/v1/bookings"]["post"]["responses"][201]["content"]["application/json"];
type ErrorEnvelope = Schemas["ErrorEnvelope"];
type TravelMode = Schemas["TravelModeEnum"];

const modes: TravelMode[] = ["walk", "transit", "city_bike"];

export const request: PlanRequest = {
  from: { lat: 60.1873, lon: 24.977 },
  to: { lat: 60.169, lon: 24.931 },
  modes,
};

export function summary(answer: PlanAnswer): string[] {
  return answer.itineraries.map((it) => {
    const legs = it.legs.map((leg) => `${leg.mode} ${leg.from.name}→${leg.to.name} ${leg.start_time}`);
    const price = it.price.total_cents === null ? "?" : `${it.price.total_cents / 100} € ${it.price.label ?? ""}`;
    return `${it.start_time}–${it.end_time} ${legs.join(", ")} ${price} CO2 ${it.co2_g} g`;
  });
}

export function bookableLegs(answer: PlanAnswer): Schemas["BookingCreate"][] {
  return answer.itineraries
    .flatMap((it) => it.legs)
    .filter((leg) => leg.booking !== null)
    .map((leg) => ({ leg: { ...leg, booking: leg.booking } }));
}

export function describeBooking(b: Booking): string {
  return `#${b.id} ${b.mode} ${b.state} ${b.price.quoted_cents ?? 0} cents`;
}

export function errorCode(body: ErrorEnvelope): string {
  return `${body.error.code}: ${body.error.message}`;
}
