// React and Remix pick their production or development code from NODE_ENV when first loaded, and
// `npm start` is the production server: without this it rendered every page with React's
// development build (its checks and warnings: a quarter more CPU on the petition page, measured).
// start.ts imports this first, and ES modules run in import order, so it is set before React loads.
process.env.NODE_ENV ??= "production";
