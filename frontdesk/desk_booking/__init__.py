"""Staff booking at the desk (walk-in, phone, email): the console's "New booking" pages. See views.py."""
