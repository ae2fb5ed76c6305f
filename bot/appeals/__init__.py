"""Enterprise appeals (企业诉求) on the assistant's side: form fields, personal data, delivery."""
