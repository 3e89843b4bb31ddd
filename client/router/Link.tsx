/**
 * The app's links come from wouter (a maintained ~2 KB router: route parameters, nested routes,
 * `<Switch>`): a real `<a href>` that navigates in-app on a plain left click. Re-exported here so
 * screens import the router from one place.
 */
export { Link } from 'wouter';
