import { z } from "zod";

/** Email addresses are compared and stored lower-cased. Shared by the server and the forms. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const emailSchema = z
  .string({ message: "Enter your email address" })
  .trim()
  .min(1, "Enter your email address")
  .max(254, "That email address is too long")
  .pipe(z.email({ message: "Enter a valid email address, like name@company.com" }))
  .transform(normalizeEmail);
