// Progressive enhancement for Homeward's pages: every journey works without it.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()
