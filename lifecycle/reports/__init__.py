"""Documents made from the data: reports an auditor can file."""
