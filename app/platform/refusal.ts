/**
 * A change the domain refuses, with the HTTP status the page answers with (never a 500) and a
 * message written for the person who asked. Each module has its own subclass, so a route catches
 * only the refusals of the module it calls.
 */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 429 = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
