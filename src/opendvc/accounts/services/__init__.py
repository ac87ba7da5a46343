"""Write paths of the accounts app, one module per topic; views, API and commands all call these."""
